"""GB/T 36904 identifiers: the ISO 7064 MOD 37,36 check character and what makes an identifier invalid."""

from __future__ import annotations

import pytest

from onewindow.licences.identifiers import (
    licence_check_character,
    licence_identifier_build,
    licence_identifier_problems,
)

REAL = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


def test_the_real_identifier_in_the_domain_reference_validates():
    assert licence_identifier_problems(REAL) == []
    assert licence_check_character("11100000000013338W01111430000006122244L20230000403001") == "U"


def test_build_reproduces_the_real_identifier():
    built = licence_identifier_build(
        type_code="11100000000013338W011", issuer_code="11430000006122244L", serial="20230000403", version=1
    )
    assert built == REAL


@pytest.mark.parametrize("body", ["0", "Z", "ABC123", "11430000006122244L2026000000100"])
def test_check_character_catches_any_single_substitution(body):
    char = licence_check_character(body)
    for position in range(len(body)):
        for replacement in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if replacement != body[position]:
                changed = body[:position] + replacement + body[position + 1 :]
                assert licence_check_character(changed) != char


def test_check_character_refuses_characters_outside_the_alphabet():
    with pytest.raises(ValueError):
        licence_check_character("abc")


@pytest.mark.parametrize(
    "identifier, fragment",
    [
        (REAL[:-1] + "V", "校验位不正确"),
        (REAL.replace("20230000403", "20230000404"), "校验位不正确"),
        (REAL.replace("1.2.156.3005.2.", "1.2.156.3005.1."), "开头"),
        ("1.2.156.3005.2.ABC.11430000006122244L.1.001", "五段"),
        ("1.2.156.3005.2.abc.11430000006122244L.1.001.X", "证照类型代码"),
        ("1.2.156.3005.2.ABC.1143000000612224.1.001.X", "颁发机构代码"),
        ("1.2.156.3005.2.ABC.11430000006122244L.1.01.X", "版本号"),
        ("1.2.156.3005.2.ABC.11430000006122244L.1.000.X", "版本号"),
        ("1.2.156.3005.2.ABC.11430000006122244L.1.001.XY", "校验位"),
    ],
)
def test_invalid_identifiers_are_explained_in_chinese(identifier, fragment):
    problems = licence_identifier_problems(identifier)
    assert problems
    assert any(fragment in problem for problem in problems)


def test_adjacent_transposition_is_caught():
    body = "11100000000013338W01111430000006122244L20230000403001"
    swapped = body[:3] + body[4] + body[3] + body[5:]
    if swapped != body:
        assert licence_check_character(swapped) != licence_check_character(body)
