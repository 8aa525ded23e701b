"""How personal identifiers appear on screen: enough to recognise, not enough to misuse."""

from __future__ import annotations


def mask_citizen_id(number: str) -> str:
    """``110101199003070016`` → ``1101**********0016``: the region and the last four stay visible."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """``张三丰`` → ``张*丰``, ``李四`` → ``李*``: for lists shown to staff who do not handle the person."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
