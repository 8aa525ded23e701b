"""National identifiers: the unified social credit code (GB 32100) and administrative division codes."""

from __future__ import annotations

import pytest

from onewindow.core.errors import DomainError
from onewindow.core.identifiers import (
    credit_code_check,
    credit_code_check_digit,
    division_code_normalise,
    organisation_code_check_digit,
)

VALID = "91350100M000100Y43"


def test_a_valid_credit_code_passes_without_warnings():
    check = credit_code_check(VALID)
    assert (check.code, check.checksum_ok, check.warnings) == (VALID, True, ())


def test_a_credit_code_is_normalised_to_upper_case_without_spaces():
    assert credit_code_check(f"  {VALID.lower()} ").code == VALID


def test_the_check_digit_of_the_published_vector_is_3():
    assert credit_code_check_digit(VALID[:17]) == "3"


def test_the_organisation_code_check_digit_follows_gb_11714():
    assert organisation_code_check_digit("M000100Y") == "4"


@pytest.mark.parametrize("code", ["", VALID[:17], VALID + "0"])
def test_a_credit_code_of_the_wrong_length_is_refused(code):
    with pytest.raises(DomainError) as caught:
        credit_code_check(code)
    assert caught.value.code == "credit_code.length"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_a_credit_code_with_a_letter_gb_32100_excludes_is_refused(letter):
    with pytest.raises(DomainError) as caught:
        credit_code_check(VALID[:10] + letter + VALID[11:])
    assert caught.value.code == "credit_code.charset"
    assert letter in caught.value.message


def test_a_credit_code_with_punctuation_is_refused():
    with pytest.raises(DomainError) as caught:
        credit_code_check(VALID[:17] + "-")
    assert caught.value.code == "credit_code.charset"


def test_an_unknown_registration_authority_is_refused():
    with pytest.raises(DomainError) as caught:
        credit_code_check("B" + VALID[1:])
    assert caught.value.code == "credit_code.authority"


def test_a_non_numeric_registry_region_is_refused():
    with pytest.raises(DomainError) as caught:
        credit_code_check(VALID[:2] + "3501A0" + VALID[8:])
    assert caught.value.code == "credit_code.region"


def test_a_checksum_mismatch_is_a_warning_not_an_error():
    check = credit_code_check(VALID[:17] + "4")
    assert check.checksum_ok is False
    assert any("“3”" in warning for warning in check.warnings)


def test_an_organisation_code_checksum_mismatch_is_a_warning():
    body = VALID[:16] + "5"
    check = credit_code_check(body + credit_code_check_digit(body))
    assert check.checksum_ok is False
    assert any("组织机构代码" in warning for warning in check.warnings)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("350000", "350000"),
        ("350102", "350102"),
        ("350102001", "350102001"),
        ("350102001001", "350102001001"),
        (" 350102 ", "350102"),
        ("350102001000", "350102001"),
        ("350102000000", "350102"),
        ("350102000", "350102"),
    ],
)
def test_division_codes_of_6_9_or_12_digits_are_accepted(raw, normalised):
    assert division_code_normalise(raw) == normalised


@pytest.mark.parametrize("raw", ["", "3501", "3501020", "35010200", "35010200100", "3501020010011", "35A102"])
def test_division_codes_of_other_shapes_are_refused(raw):
    with pytest.raises(DomainError) as caught:
        division_code_normalise(raw)
    assert caught.value.code == "division_code.format"
