"""Phone numbers of mainland China, Taiwan and Hong Kong, as people type them.

Mainland mobiles are 11 digits starting 13-19 (138 0013 8000, +86-138-0013-8000);
landlines are a trunk 0, an area code of 2-3 digits and 7-8 digits (010-12345678,
(0755)1234567). Taiwan: mobiles 09xx-xxx-xxx, landlines (02)2345-6789, +886.
Hong Kong: 8 digits starting 2/3/5/6/9, with +852. A shape regex proposes
candidates and phonenumbers (offline metadata) confirms them for the region
the shape belongs to. The generic recognizer misses these glued to Chinese
text and scores bare digit runs low; here a bare mainland mobile is a strong
signal on its own, since order numbers rarely start 13-19 with 11 digits.
"""

from __future__ import annotations

import re

import phonenumbers

from guardrail.pii.recognizers.base import Pattern, RegexRecognizer
from guardrail.pii.recognizers.zh.words import PHONE_CONTEXT

_BEFORE = r"(?<![0-9A-Za-z+])"
_AFTER = r"(?![0-9A-Za-z]|[-.][0-9])"
_SEP = r"[ \-‐–.]?"

_REGION_BY_PATTERN = {
    "cn-mobile": "CN",
    "cn-landline": "CN",
    "tw-mobile": "TW",
    "tw-landline": "TW",
    "hk": "HK",
}


class ChinesePhoneRecognizer(RegexRecognizer):
    ENTITY = "PHONE_NUMBER"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern(
            "cn-mobile",
            _BEFORE + rf"(?:(?:\+|00)86{_SEP}|[(（]\+?86[)）]{_SEP})?"
            rf"1[3-9][0-9]{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}" + _AFTER,
            0.85,
        ),
        Pattern(
            "cn-landline",
            _BEFORE + rf"(?:(?:\+|00)86{_SEP}(?:[(（]0[)）])?|0)"
            rf"(?:[(（](?:10|2[0-9]|[3-9][0-9]{{2}})[)）]|(?:10|2[0-9]|[3-9][0-9]{{2}})[)）]?)"
            rf"{_SEP}[2-9][0-9]{{2,3}}{_SEP}[0-9]{{4}}" + _AFTER,
            0.75,
        ),
        Pattern(
            "cn-landline-bracketed",
            _BEFORE + rf"[(（]0(?:10|2[0-9]|[3-9][0-9]{{2}})[)）]{_SEP}[2-9][0-9]{{2,3}}{_SEP}[0-9]{{4}}"
            + _AFTER,
            0.8,
        ),
        Pattern(
            "tw-mobile",
            _BEFORE + rf"(?:(?:\+|00)886{_SEP}|0)9[0-9]{{2}}{_SEP}[0-9]{{3}}{_SEP}[0-9]{{3}}" + _AFTER,
            0.85,
        ),
        Pattern(
            "tw-landline",
            _BEFORE + rf"(?:(?:\+|00)886{_SEP}[(（]?|[(（]?0)[2-8][0-9]?[)）]?{_SEP}"
            rf"[0-9]{{3,4}}{_SEP}[0-9]{{4}}" + _AFTER,
            0.7,
        ),
        # Any trunk-0 area code set off by a bracket or a separator, then the
        # subscriber's 6-8 digits: how numbers are written across Taiwan and
        # the mainland, including area codes phonenumbers does not know
        # ((05) 12345678, 09-18259791, 011 17715162).
        Pattern(
            "trunk-area",
            _BEFORE + r"(?:[(（]0[0-9]{1,3}[)）] ?|0[0-9]{1,3}[ \-‐–])[1-9][0-9]{2,3}[ \-‐–]?[0-9]{3,4}"
            + _AFTER,
            0.7,
        ),
        Pattern(
            "hk",
            _BEFORE + rf"(?:(?:\+|00)852{_SEP}|[(（]\+?852[)）]{_SEP})?[235689][0-9]{{3}}{_SEP}[0-9]{{4}}"
            + _AFTER,
            0.4,
        ),
    )
    CONTEXT = PHONE_CONTEXT

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "trunk-area":
            # A separated trunk and area code is a phone's shape even where
            # the number is not allocated; valid ones score as the others.
            return pattern.score if _valid(value, "TW") or _valid(value, "CN") else 0.45
        region = _REGION_BY_PATTERN.get(pattern.name.removesuffix("-bracketed"), "CN")
        digits = re.sub(r"[^0-9]", "", value)
        international = value.startswith(("+", "00", "(+", "（+", "(8", "（8"))
        if not _valid(value, region):
            # Shaped right but not allocated (yet), or a typo: a mainland
            # mobile's shape is distinctive enough to mask anyway; others
            # need a context word.
            if pattern.name == "cn-mobile":
                return 0.45
            return 0.35 if international else 0.2
        if pattern.name == "hk":
            # Eight digits are also amounts, dates (2024 0612) and order numbers.
            if international:
                return 0.9
            return 0.45 if len(value) > len(digits) else 0.3
        return min(pattern.score + (0.1 if international else 0.0), 1.0)


def _valid(value: str, region: str) -> bool:
    number = value.translate(str.maketrans("（）", "()"))
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)
