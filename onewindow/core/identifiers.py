"""National identifier checks: unified social credit code (GB 32100), organisation code (GB 11714) and
administrative division codes (GB/T 2260, extended to townships and villages), and the citizen identity
number (GB 11643).

Format and charset errors are refused. A credit-code checksum mismatch is only a warning: some codes really
issued by registries fail it, so a person must confirm them (domain reference §2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from onewindow.core.errors import DomainError

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Registration authority codes (GB 32100 table 1): 1–9 government registries, A military, N agriculture,
# Y others. The second character is the institution type within that registry.
_AUTHORITIES = "123456789ANY"


@dataclass(frozen=True)
class CreditCodeCheck:
    """A credit code whose format is right; ``warnings`` lists checksum problems a person must confirm."""

    code: str
    warnings: tuple[str, ...] = ()

    @property
    def checksum_ok(self) -> bool:
        return not self.warnings


def credit_code_check_digit(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def organisation_code_check_digit(first8: str) -> str:
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_check(raw: str) -> CreditCodeCheck:
    """Check a unified social credit code. Raises DomainError for anything that cannot be a credit code."""
    code = (raw or "").strip().upper()
    if len(code) != 18:
        raise DomainError(
            code="credit_code.length",
            message=f"统一社会信用代码应为 18 位，当前为 {len(code)} 位。",
        )
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise DomainError(
            code="credit_code.charset",
            message=f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）。",
        )
    authority, kind = code[0], code[1]
    if authority not in _AUTHORITIES or kind not in "123456789":
        raise DomainError(
            code="credit_code.authority",
            message=f"统一社会信用代码第 1–2 位“{code[:2]}”不是有效的登记管理部门和机构类别代码。",
        )
    if not code[2:8].isdigit():
        raise DomainError(
            code="credit_code.region",
            message="统一社会信用代码第 3–8 位应为 6 位数字的登记管理机关行政区划码。",
        )
    warnings = []
    expected = credit_code_check_digit(code[:17])
    if code[17] != expected:
        warnings.append(f"校验位应为“{expected}”，实际为“{code[17]}”")
    org = code[8:17]
    if all(ch in _ORG_ALPHABET for ch in org[:8]) and org[8] != organisation_code_check_digit(org[:8]):
        warnings.append(f"第 9–17 位组织机构代码的校验位应为“{organisation_code_check_digit(org[:8])}”")
    return CreditCodeCheck(code=code, warnings=tuple(warnings))


DIVISION_CODE_RE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")


def division_code_normalise(raw: str) -> str:
    """A 6-, 9- or 12-digit division code; trailing all-zero groups of a 12-digit code are dropped."""
    code = (raw or "").strip()
    if not DIVISION_CODE_RE.match(code):
        raise DomainError(
            code="division_code.format",
            message=f"行政区划代码“{code}”格式不正确：应为 6 位（省、市、县）、9 位（乡镇街道）或 12 位（村社区）数字。",
        )
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    return code


def division_code_check(raw: str) -> str:
    """A division code (GB/T 2260) as typed on a form: the format of ``division_code_normalise`` and a
    province-level prefix that exists (the first two digits, as in the citizen identity number)."""
    code = division_code_normalise(raw)
    if code[:2] not in _PROVINCE_CODES:
        raise DomainError(
            code="division_code.region",
            message=f"行政区划代码前两位“{code[:2]}”不是有效的省级行政区划代码。",
        )
    return code


# --- Item codes (national exchange tables, observed; domain reference §2) -------------------------------

ITEM_TYPE_CODES = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"}


def basic_code_check(raw: str) -> str:
    """A 12-digit basic catalogue code: 2 (00 national, else province) + 2 (item type) + 5 (main) + 3 (sub)."""
    code = (raw or "").strip()
    if len(code) != 12 or not code.isdigit():
        raise DomainError(code="basic_code.format", message=f"基本编码“{code}”应为 12 位数字。")
    if code[:2] != "00" and not 11 <= int(code[:2]) <= 82:
        raise DomainError(
            code="basic_code.region",
            message=f"基本编码“{code}”前 2 位应为 00（国家级）或省级行政区划代码前两位。",
        )
    if code[2:4] not in ITEM_TYPE_CODES:
        raise DomainError(
            code="basic_code.item_type",
            message=f"基本编码“{code}”第 3–4 位“{code[2:4]}”不是有效的事项类型代码。",
        )
    return code


def implementation_code_check(raw: str) -> str:
    """A 31-character implementation code: the body's credit code (18) + level digit (1) + basic code (12)."""
    code = (raw or "").strip().upper()
    if len(code) != 31:
        raise DomainError(
            code="implementation_code.length", message=f"实施编码应为 31 位，当前为 {len(code)} 位。"
        )
    credit_code_check(code[:18])
    if code[18] not in "1234567":
        raise DomainError(
            code="implementation_code.level", message=f"实施编码第 19 位“{code[18]}”应为行使层级代码 1–7。"
        )
    basic_code_check(code[19:])
    return code


def handling_code_check(raw: str) -> str:
    """A 33-character handling-item code: the implementation code + a 2-digit sequence."""
    code = (raw or "").strip().upper()
    if len(code) != 33 or not code[31:].isdigit() or code[31:] == "00":
        raise DomainError(
            code="handling_code.format", message="办理项编码应为实施编码（31 位）加 2 位序号（01–99）。"
        )
    implementation_code_check(code[:31])
    return code


# --- Citizen identity number (GB 11643-1999) ----------------------------------------------------------
_CITIZEN_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CITIZEN_ID_CHECK = "10X98765432"
# The first two digits are a province-level division (GB/T 2260); 71 台湾, 81 香港, 82 澳门 are allocated too.
_PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def citizen_id_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(int(ch) * w for ch, w in zip(first17, _CITIZEN_ID_WEIGHTS, strict=True))
    return _CITIZEN_ID_CHECK[total % 11]


def citizen_id_check(raw: str, *, today: date | None = None) -> str:
    """Check an 18-character citizen identity number and return it normalised (upper-case X).

    Raises DomainError whose message names the problem: length, characters, province, birth date (a real
    date, not in the future) or the check character.
    """
    number = (raw or "").strip().upper()
    if len(number) == 15 and number.isdigit():
        raise DomainError(
            code="citizen_id.legacy",
            message="这是 15 位旧版身份证号码，请填写 18 位的第二代居民身份证号码。",
        )
    if len(number) != 18:
        raise DomainError(
            code="citizen_id.length", message=f"公民身份号码应为 18 位，当前为 {len(number)} 位。"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise DomainError(
            code="citizen_id.charset",
            message="公民身份号码前 17 位应为数字，最后一位为数字或字母 X。",
        )
    if number[:2] not in _PROVINCE_CODES:
        raise DomainError(
            code="citizen_id.region",
            message=f"公民身份号码前两位“{number[:2]}”不是有效的省级行政区划代码。",
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError(
            code="citizen_id.birth_date",
            message=f"公民身份号码第 7–14 位“{number[6:14]}”不是有效的出生日期。",
        ) from None
    if born > (today or timezone.localdate()) or born.year < 1890:
        raise DomainError(
            code="citizen_id.birth_date",
            message=f"公民身份号码中的出生日期 {born.isoformat()} 不可能（晚于今天或早于 1890 年）。",
        )
    expected = citizen_id_check_char(number[:17])
    if number[17] != expected:
        raise DomainError(
            code="citizen_id.checksum",
            message=f"公民身份号码校验位不正确：最后一位应为“{expected}”，实际为“{number[17]}”。请核对号码。",
        )
    return number


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def mobile_phone_check(raw: str) -> str:
    """A mainland mobile number, 11 digits starting 13–19; spaces, dashes and a +86 prefix are dropped."""
    phone = re.sub(r"[\s-]", "", raw or "")
    phone = phone.removeprefix("+86").removeprefix("0086")
    if not _MOBILE_RE.match(phone):
        raise DomainError(
            code="phone.invalid",
            message="手机号码应为 11 位数字，以 13–19 开头（例如 13800138000）。",
        )
    return phone
