"""National identifiers: the unified social credit code (GB 32100), administrative division codes, and the
citizen identity number (GB 11643)."""

from __future__ import annotations

from datetime import date

import pytest

from onewindow.core.errors import DomainError
from onewindow.core.identifiers import (
    citizen_id_check,
    citizen_id_check_char,
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


# --- Citizen identity number (GB 11643) ---------------------------------------------------------------

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's own example (check character X)
        "110101199003074477",
        "350102199003070012",
        "44030820000229001X",  # 29 February of a leap year
        "650102189001010018",  # 1890, the earliest year accepted
        "810000201001010019",  # Hong Kong residents (81)
    ],
)
def test_valid_citizen_id_numbers_pass(number):
    assert citizen_id_check(number, today=TODAY) == number


def test_the_check_character_follows_iso_7064_mod_11_2():
    assert citizen_id_check_char("11010519491231002") == "X"
    assert citizen_id_check_char("11010119900307447") == "7"


def test_a_lower_case_x_and_spaces_are_normalised():
    assert citizen_id_check(" 11010519491231002x ", today=TODAY) == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code", "named"),
    [
        ("110105194912310021", "citizen_id.checksum", "“X”"),
        ("110101199003077578", "citizen_id.checksum", "“1”"),
        ("110101199002300012", "citizen_id.birth_date", "19900230"),
        ("110101190002290012", "citizen_id.birth_date", "19000229"),  # 1900 was not a leap year
        ("110101202712010012", "citizen_id.birth_date", "2027-12-01"),  # after today
        ("440524188001010014", "citizen_id.birth_date", "1880-01-01"),  # before 1890
        ("990101199003070012", "citizen_id.region", "“99”"),
        ("100101199003070012", "citizen_id.region", "“10”"),
        ("11010119900307001", "citizen_id.length", "17"),
        ("1101011990030700121", "citizen_id.length", "19"),
        ("", "citizen_id.length", "0"),
        ("11010119900307A012", "citizen_id.charset", "X"),
        ("1101011990030700Y2", "citizen_id.charset", "X"),
        ("110101900307001", "citizen_id.legacy", "15"),
    ],
)
def test_invalid_citizen_id_numbers_are_refused_naming_the_problem(number, code, named):
    with pytest.raises(DomainError) as caught:
        citizen_id_check(number, today=TODAY)
    assert caught.value.code == code
    assert named in caught.value.message


def test_a_birth_date_of_today_is_accepted():
    body = "11010120261127001"
    number = body + citizen_id_check_char(body)
    assert citizen_id_check(number, today=TODAY) == number


@pytest.mark.parametrize("raw", ["913501O0M000100Y43", "91350100M000100Y4", "0A350100M000100Y43"])
def test_credit_codes_with_a_wrong_letter_length_or_authority_are_refused(raw):
    with pytest.raises(DomainError) as caught:
        credit_code_check(raw)
    assert caught.value.code in {"credit_code.charset", "credit_code.length", "credit_code.authority"}
