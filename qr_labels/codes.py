"""Label codes: short, unambiguous, read aloud over the phone, with a check character.

Alphabet: Crockford's base 32 without I, L, O and U (0-9 and 22 letters). The check character
is Damm's algorithm over GF(32): the quasigroup x*y = a·(x+y) with a ∉ {0, 1} is totally
anti-symmetric with a zero diagonal, so every single wrong character and every swap of two
adjacent characters (the check character included) is caught.
"""

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 7  # 32**7 = 34 billion codes; with the check character, 8 to read out
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# What people type for what they see on a weathered sticker (Crockford's decoding rules).
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_POLY = 0b100101  # x^5 + x^2 + 1, primitive over GF(2)


def _times_a(value: int) -> int:
    """Multiply by a = x in GF(32)."""
    value <<= 1
    return value ^ _POLY if value & 0b100000 else value


def _damm(values) -> int:
    interim = 0
    for value in values:
        interim = _times_a(interim ^ value)
    return interim


def check_character(body: str) -> str:
    # a·(interim + check) = 0 exactly when check = interim.
    return ALPHABET[_damm(_VALUE[ch] for ch in body)]


def is_valid(code: str) -> bool:
    """A normalised code whose check character matches."""
    return (
        len(code) == BODY_LENGTH + 1
        and all(ch in _VALUE for ch in code)
        and _damm(_VALUE[ch] for ch in code) == 0
    )


def normalize(text: str) -> str:
    """What someone typed or scanned, as a code: upper case, without spaces, dashes or the
    slashes of a URL, with look-alike letters read as the digits they stand for."""
    text = unicodedata.normalize("NFKC", text).upper()  # full-width ７ＫＱ２ from a Japanese IME
    cleaned = "".join(ch for ch in text if ch not in " -_/.\u30fc")
    return cleaned.translate(_LOOKALIKES)


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def display(code: str) -> str:
    """Grouped for reading aloud: 7KQ2-M9XD."""
    return f"{code[:4]}-{code[4:]}"
