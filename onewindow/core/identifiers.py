"""National identifier checks: unified social credit code (GB 32100), organisation code (GB 11714) and
administrative division codes (GB/T 2260, extended to townships and villages).

Format and charset errors are refused. A credit-code checksum mismatch is only a warning: some codes really
issued by registries fail it, so a person must confirm them (domain reference §2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
