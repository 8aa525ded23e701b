"""National identifiers and personal data in an application form's JSON Schema.

Formats (``"format": …`` on a string property), checked with their checksums wherever a form is validated:

- ``citizen-id`` — 公民身份号码, GB 11643 (MOD 11-2 check character, real birth date);
- ``uscc`` — 统一社会信用代码, GB 32100 (check character and the embedded GB 11714 organisation code);
- ``division-code`` — 行政区划代码, GB/T 2260 (6, 9 or 12 digits under an existing province);
- ``mobile`` — a mainland mobile number.

Personal data (个人信息保护法 art. 28 treats ID numbers, phone numbers, addresses and bank accounts as
information to protect): a property holds personal data when its schema says ``"x-personal": true``, or —
unless it says ``"x-personal": false`` — when it has a personal format (``citizen-id``, ``mobile``) or a
well-known personal name (``id_number``, ``mobile``, ``address``, ``bank_account`` …). Such values are stored
encrypted (``cases.fields.SealedFormField``) and masked wherever someone other than the applicant or the
handling department sees them (``form_masked``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jsonschema

from onewindow.core.errors import DomainError
from onewindow.core.identifiers import (
    citizen_id_check,
    credit_code_check,
    division_code_check,
    mobile_phone_check,
)
from onewindow.core.masking import mask_citizen_id, mask_name, mask_phone

PERSONAL_KEYWORD = "x-personal"
PERSONAL_FORMATS = frozenset({"citizen-id", "mobile"})
# Property names that hold personal data whatever their schema says (unless ``x-personal: false``): the
# whole name, or its last ``_``-separated words (``contact_mobile``, ``deceased_id``, ``refund_bank``).
_PERSONAL_NAME = re.compile(
    r"(^|_)(id|id_?number|id_?card|idcard|citizen_?id|identity_?number|passport(_number)?|"
    r"mobile|phone|telephone|tel|contact_?phone|address|bank|bank_?account|account_?number|card_?number|"
    r"fund_?account)$",
    re.IGNORECASE,
)


# A person's name is not encrypted (staff search and letters need it) but is masked like the applicant's name
# wherever personal answers are masked; names of companies, shops, schools and things are left alone.
_PERSON_NAME = re.compile(r"(^|_)(name|legal_representative|contact|contact_?man|agent)$", re.IGNORECASE)
_THING_NAME = re.compile(
    r"company|enterprise|unit|org|shop|store|school|project|product|item|plate|brand|hospital|bank_name",
    re.IGNORECASE,
)


def _uscc_check(value: str) -> str:
    checked = credit_code_check(value)
    if not checked.checksum_ok:
        # On a registry import a mismatch is only a warning (domain reference §2); an applicant typing their
        # own code must correct it, so a mistyped code is never issued on a licence.
        raise DomainError(
            code="credit_code.checksum",
            message=f"统一社会信用代码校验不通过（{'；'.join(checked.warnings)}），请对照营业执照核对。",
        )
    return checked.code


# format -> the check that raises a DomainError with the problem in Chinese
NATIONAL_FORMATS: dict[str, Callable[[str], str]] = {
    "citizen-id": citizen_id_check,
    "uscc": _uscc_check,
    "division-code": division_code_check,
    "mobile": mobile_phone_check,
}
# Attributes that help a phone keyboard and the browser's autofill for each format.
FORMAT_ATTRS: dict[str, dict[str, str]] = {
    "citizen-id": {"maxlength": "18", "autocomplete": "off", "spellcheck": "false"},
    "uscc": {"maxlength": "18", "autocomplete": "off", "spellcheck": "false"},
    "division-code": {"maxlength": "12", "inputmode": "numeric"},
    # No maxlength: "+86 139 0000 0001" is accepted and normalised by the check.
    "mobile": {"inputmode": "tel", "autocomplete": "tel"},
}


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()
    for name, check in NATIONAL_FORMATS.items():

        def run(value: object, check: Callable[[str], str] = check) -> bool:
            # Formats constrain strings only; a wrong type is the "type" keyword's problem.
            return not isinstance(value, str) or bool(check(value))

        checker.checks(name, raises=DomainError)(run)
    return checker


FORMAT_CHECKER = _format_checker()


def property_schema(schema: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """The subschema of property ``name`` (an empty dict when the schema does not describe it)."""
    properties = (schema or {}).get("properties")
    sub = properties.get(name) if isinstance(properties, dict) else None
    return sub if isinstance(sub, dict) else {}


def items_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The subschema of an array's items (an empty dict when not given)."""
    items = schema.get("items")
    return items if isinstance(items, dict) else {}


def is_personal(name: str, schema: dict[str, Any] | None) -> bool:
    """Whether the property ``name`` with this (sub)schema holds personal data (see the module docstring)."""
    schema = schema if isinstance(schema, dict) else {}
    marked = schema.get(PERSONAL_KEYWORD)
    if isinstance(marked, bool):
        return marked
    if schema.get("format") in PERSONAL_FORMATS:
        return True
    return bool(_PERSONAL_NAME.search(name))


def personal_mask(value: Any, *, name: str, schema: dict[str, Any] | None) -> str:
    """A personal value as others may see it: ID numbers and phones keep their ends, anything else only its
    first character (an address keeps its city, a bank account nothing)."""
    schema = schema if isinstance(schema, dict) else {}
    if isinstance(value, list):
        return "、".join(personal_mask(item, name=name, schema=schema.get("items")) for item in value)
    if isinstance(value, dict):
        return "***"
    text = "" if value is None else str(value)
    if not text:
        return ""
    if schema.get("format") == "citizen-id" or re.fullmatch(r"\d{17}[\dXx]", text):
        return mask_citizen_id(text)
    if schema.get("format") == "mobile" or re.fullmatch(r"1\d{10}", text):
        return mask_phone(text)
    if len(text) >= 8 and text.isdigit():
        return "*" * (len(text) - 4) + text[-4:]
    return text[:3] + "*" * max(len(text) - 3, 3)


def is_person_name(name: str, schema: dict[str, Any] | None) -> bool:
    """Whether the property holds a person's name (masked, not encrypted): ``applicant_name``,
    ``legal_representative``, ``partner_name`` — not ``company_name`` or ``school_name``."""
    schema = schema if isinstance(schema, dict) else {}
    if schema.get(PERSONAL_KEYWORD) is False:
        return False
    return bool(_PERSON_NAME.search(name)) and not _THING_NAME.search(name)


def form_masked(schema: dict[str, Any] | None, data: dict[str, Any] | None) -> dict[str, Any]:
    """The form data with every personal value and person's name masked, for pages, notices and exports
    whose readers are not the applicant or the handling department."""
    masked: dict[str, Any] = {}
    for name, value in (data or {}).items():
        sub = property_schema(schema, name)
        if is_personal(name, sub):
            masked[name] = personal_mask(value, name=name, schema=sub)
        elif is_person_name(name, sub) and isinstance(value, str):
            masked[name] = mask_name(value)
        elif isinstance(value, dict):
            masked[name] = form_masked(sub, value)
        elif isinstance(value, list):
            masked[name] = [form_masked(items_schema(sub), v) if isinstance(v, dict) else v for v in value]
        else:
            masked[name] = value
    return masked
