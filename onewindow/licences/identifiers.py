"""E-licence identifiers (GB/T 36904): ``1.2.156.3005.2.<type code>.<issuer credit code>.<serial>.<version>.<check>``.

The check character is ISO 7064 MOD 37,36 over type code + issuer code + serial + version concatenated
without the dots, alphabet ``0-9A-Z``.
"""

from __future__ import annotations

import re

IDENTIFIER_PREFIX = "1.2.156.3005.2."
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PART_RE = re.compile(r"^[0-9A-Z]+$")
_VERSION_RE = re.compile(r"^\d{3}$")
_CREDIT_CODE_RE = re.compile(r"^[0-9A-Z]{18}$")
MAX_VERSION = 999


def licence_check_character(body: str) -> str:
    """ISO 7064 MOD 37,36 check character over ``body`` (characters of ``0-9A-Z`` only)."""
    product = 36
    for char in body:
        index = ALPHABET.find(char)
        if index < 0:
            raise ValueError(f"character {char!r} is outside 0-9A-Z")
        total = product + index
        product = ((total % 36 or 36) * 2) % 37
    return ALPHABET[(37 - product) % 36]


def licence_identifier_build(*, type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """The full identifier with its check character. Raises ``ValueError`` on characters outside 0-9A-Z;
    callers validate the result with ``licence_identifier_problems`` for the other rules."""
    version_text = f"{version:03d}"
    check = licence_check_character(f"{type_code}{issuer_code}{serial}{version_text}")
    return f"{IDENTIFIER_PREFIX}{type_code}.{issuer_code}.{serial}.{version_text}.{check}"


def licence_identifier_problems(identifier: str) -> list[str]:
    """Everything wrong with an identifier, in Chinese; an empty list means it is valid."""
    if not identifier.startswith(IDENTIFIER_PREFIX):
        return [f"证照标识须以 {IDENTIFIER_PREFIX} 开头。"]
    parts = identifier[len(IDENTIFIER_PREFIX) :].split(".")
    if len(parts) != 5:
        return ["证照标识应由证照类型代码、颁发机构代码、流水号、版本号和校验位五段组成，以“.”分隔。"]
    type_code, issuer_code, serial, version, check = parts
    problems = []
    if not _PART_RE.match(type_code):
        problems.append("证照类型代码只能由数字和大写字母组成。")
    if not _CREDIT_CODE_RE.match(issuer_code):
        problems.append("颁发机构代码应为 18 位统一社会信用代码（数字和大写字母）。")
    if not _PART_RE.match(serial):
        problems.append("流水号只能由数字和大写字母组成。")
    if not _VERSION_RE.match(version) or version == "000":
        problems.append("版本号应为 001 至 999 的三位数字。")
    if len(check) != 1 or check not in ALPHABET:
        problems.append("校验位应为一位数字或大写字母。")
    if problems:
        return problems
    if licence_check_character(f"{type_code}{issuer_code}{serial}{version}") != check:
        problems.append("校验位不正确：证照标识可能抄录有误。")
    return problems
