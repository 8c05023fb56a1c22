"""Label codes: short, readable aloud, and a check character that catches typos."""

import pytest

from qr_labels import codes

SAMPLES = [codes.generate() for _ in range(200)]


def test_a_code_is_eight_unambiguous_characters():
    for code in SAMPLES:
        assert len(code) == 8
        assert set(code) <= set(codes.ALPHABET)
        assert not set(code) & set("ILOU")
        assert codes.is_valid(code)


@pytest.mark.parametrize("code", SAMPLES[:50])
def test_every_single_wrong_character_is_caught(code):
    for position in range(len(code)):
        for other in codes.ALPHABET:
            if other != code[position]:
                typo = code[:position] + other + code[position + 1 :]
                assert not codes.is_valid(typo), typo


@pytest.mark.parametrize("code", SAMPLES[:50])
def test_every_swap_of_neighbours_is_caught_including_the_check_character(code):
    for position in range(len(code) - 1):
        if code[position] != code[position + 1]:
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            assert not codes.is_valid(swapped), swapped


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7kq2-m9xd", "7KQ2M9XD"),
        ("7KQ2 M9XD", "7KQ2M9XD"),
        ("７ＫＱ２－Ｍ９ＸＤ", "7KQ2M9XD"),  # full-width, from a Japanese keyboard
        ("OIL0", "0110"),  # letters people type for the digits on the sticker
        ("UV", "VV"),
    ],
)
def test_what_people_type_is_normalised(typed, expected):
    assert codes.normalize(typed) == expected


def test_codes_are_displayed_in_two_groups_for_reading_aloud():
    assert codes.display("7KQ2M9XD") == "7KQ2-M9XD"


def test_generated_codes_do_not_repeat():
    assert len(set(SAMPLES)) == len(SAMPLES)
