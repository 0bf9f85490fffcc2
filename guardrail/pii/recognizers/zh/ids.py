"""National identity numbers: mainland resident ID, Taiwan national ID, Hong Kong ID.

Each has a check digit, which is what tells an ID from an order number of the
same length: a number whose check digit is right scores high on its own; one
whose check digit is wrong (a typo, or not an ID) needs a context word such as
身份证 to be masked. Patterns use ASCII look-arounds, never `\\b`, so numbers
glued to Chinese text ("身份证号110105194912310021") are found.
"""

from __future__ import annotations

import datetime

from guardrail.pii.recognizers.base import Pattern, RegexRecognizer
from guardrail.pii.recognizers.zh.words import ID_CONTEXT

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

# GB 11643: weights of the first 17 digits, and check characters by sum mod 11.
_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK = "10X98765432"
# Province-level codes (first two digits) of GB/T 2260, plus 71/81/82 used
# for Taiwan, Hong Kong and Macau residents.
_PROVINCE_CODES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83 91"
)
_PROVINCES = frozenset(_PROVINCE_CODES.split())


def resident_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11]


def _valid_date(yyyymmdd: str) -> bool:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return born.year >= 1900 and born <= datetime.date.today()


class ResidentIdRecognizer(RegexRecognizer):
    """Mainland resident ID: 18 characters (6 area, 8 birth date, 3 sequence,
    1 check: 0-9 or X), or the legacy 15 digits (birth year without century,
    no check digit). People write the 18-digit one in 6-8-4 groups too."""

    ENTITY = "CN_RESIDENT_ID"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern(
            "18-digit",
            _NOT_ALNUM_BEFORE + r"[1-9][0-9]{5}[ -]?(?:19|20)[0-9]{6}[ -]?[0-9]{3}[0-9Xx]" + _NOT_ALNUM_AFTER,
            0.95,
        ),
        Pattern("15-digit", _NOT_ALNUM_BEFORE + r"[1-9][0-9]{14}" + _NOT_ALNUM_AFTER, 0.45),
    )
    CONTEXT = ID_CONTEXT

    def validate(self, value: str, pattern: Pattern) -> float | None:
        chars = value.replace(" ", "").replace("-", "").upper()
        if chars[:2] not in _PROVINCES:
            return None
        if len(chars) == 15:
            return pattern.score if _valid_date("19" + chars[6:12]) else None
        if not _valid_date(chars[6:14]):
            return None
        if resident_check_char(chars[:17]) == chars[17]:
            return pattern.score
        # Right shape, wrong check digit: a typo or another number. Context
        # (身份证) lifts it over the default threshold.
        return 0.3


# Letter -> two-digit code of the Taiwan national ID's first letter.
_TW_LETTERS = {
    letter: code
    for letter, code in zip(
        "ABCDEFGHJKLMNPQRSTUVXYWZIO",
        range(10, 36),
        strict=True,
    )
}
_TW_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 1, 1)


def tw_id_valid(value: str) -> bool:
    value = value.upper()
    code = _TW_LETTERS.get(value[0])
    if code is None or len(value) != 10 or not value[1:].isdigit():
        return False
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(value[1:], _TW_WEIGHTS, strict=True))
    return total % 10 == 0


class TaiwanIdRecognizer(RegexRecognizer):
    """Taiwan national ID (國民身分證統一編號): a letter, 1 or 2 (sex) — or 8/9
    for the new resident certificates — then 8 digits, the last a check digit."""

    ENTITY = "TW_NATIONAL_ID"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern("national-id", _NOT_ALNUM_BEFORE + r"[A-Za-z][1289][0-9]{8}" + _NOT_ALNUM_AFTER, 0.9),
    )
    CONTEXT = ID_CONTEXT

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if tw_id_valid(value):
            return pattern.score
        return 0.25  # shaped like one: masked only with context


def hk_check_char(letters: str, digits: str) -> str:
    # A single-letter prefix is padded with a space, worth 36 (ISO 7064-like).
    padded = letters.upper().rjust(2)
    values = [36 if ch == " " else ord(ch) - 55 for ch in padded] + [int(d) for d in digits]
    total = sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


class HongKongIdRecognizer(RegexRecognizer):
    """Hong Kong identity card: one or two letters, six digits and a check
    character (0-9 or A), usually written in brackets: A123456(3)."""

    ENTITY = "HK_ID_CARD"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern(
            "hkid",
            _NOT_ALNUM_BEFORE + r"(?P<v>[A-Z]{1,2}[0-9]{6}(?:[(（][0-9A][)）]|[0-9A]))" + r"(?![0-9A-Za-z])",
            0.9,
        ),
    )
    CONTEXT = ID_CONTEXT

    def validate(self, value: str, pattern: Pattern) -> float | None:
        letters = value[: 2 if value[1].isalpha() else 1]
        digits = value[len(letters) : len(letters) + 6]
        check = value[len(letters) + 6 :].strip("()（）")
        if hk_check_char(letters, digits) != check:
            return 0.2
        # Bracketed check digit is the official way of writing it; bare, the
        # shape is also a product code ("AB1234567"), so a little less sure.
        return pattern.score if "(" in value or "（" in value else 0.7
