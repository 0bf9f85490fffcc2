"""Passport numbers and vehicle plates in Chinese text.

Neither has a check digit. A passport number (mainland E/G + 8 digits, Hong
Kong H/K + 8, Taiwan 9 digits, and other letter-digit forms) looks like any
reference code, so it needs a word such as 护照 before it. A mainland plate
has a shape nothing else has (a province's one-character abbreviation, the
issuing office's letter, then five or six letters and digits: 京R-89957,
粤B·D12345), so it counts on its own; plates elsewhere (Taiwan's ABC-1234)
only after 车牌/車牌.
"""

from __future__ import annotations

from guardrail.pii.recognizers.base import Pattern, RegexRecognizer

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

# The province-level abbreviations that begin a mainland plate (GA 36), and
# 使/领 for embassy and consulate plates: a fixed list.
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
# The issuing office's letter: any (O is a police office's in some
# provinces); the serial after it never uses I or O (read as 1 and 0), but
# people and generators type them, so they are allowed there too.
_PLATE_LETTER = "[A-Z]"
_PLATE_CONTEXT = ("车牌", "車牌", "牌照", "车号", "車號", "plate")
_PASSPORT_CONTEXT = ("护照", "護照", "passport", "旅行证件", "旅行證件")


class PassportNumberRecognizer(RegexRecognizer):
    ENTITY = "PASSPORT_NUMBER"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern(
            "passport",
            _NOT_ALNUM_BEFORE + r"(?:[A-Z]{1,2}[0-9]{7,8}|[0-9]{9})" + _NOT_ALNUM_AFTER,
            # Below any threshold until a passport word lifts it (context.py).
            0.05,
        ),
    )
    CONTEXT = _PASSPORT_CONTEXT


class LicensePlateRecognizer(RegexRecognizer):
    ENTITY = "LICENSE_PLATE"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern(
            "mainland",
            rf"[{_PLATE_PROVINCES}]{_PLATE_LETTER}[·•・\- ]?[A-Z0-9]{{4}}[A-Z0-9挂学警港澳]"
            r"[0-9]?" + _NOT_ALNUM_AFTER,
            0.6,
        ),
        Pattern(
            "letters-digits",
            _NOT_ALNUM_BEFORE + r"(?:[A-Z]{2,3}-[0-9]{3,4}|[0-9]{3,4}-[A-Z]{2,3})" + _NOT_ALNUM_AFTER,
            0.05,  # Taiwan's layouts; also model and part numbers: a plate word decides
        ),
    )
    CONTEXT = _PLATE_CONTEXT
