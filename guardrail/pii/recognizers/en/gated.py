"""Presidio's pattern recognizers behind a cheap trigger.

Presidio's IBAN, IP, US SSN/ITIN/passport, UK NINO and crypto recognizers run
their patterns with the `regex` module and build explanation objects on every
text; most customer messages cannot hold any of these values. Each subclass
here first searches its text with one small precompiled `re` trigger that every
match of the recognizer's own patterns must contain; no trigger, no value, so
the recognizer is skipped. When the trigger is found, Presidio's recognizer
runs unchanged (same patterns, validation, scores and name), so detection is
exactly Presidio's: the trigger only removes work that could find nothing.

A trigger must stay a *necessary* condition of its recognizer's patterns (they
are quoted next to each); `tests/pii/test_gated_recognizers.py` checks the
recognizers find what Presidio's own find.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from presidio_analyzer import RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    CryptoRecognizer,
    IbanRecognizer,
    IpRecognizer,
    UkNinoRecognizer,
    UsItinRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)


class _Gated:
    TRIGGER: ClassVar[re.Pattern[str]]

    def analyze(self, text: str, entities: list[str], *args: Any, **kwargs: Any) -> list[RecognizerResult]:
        if self.TRIGGER.search(text) is None:
            return []
        return super().analyze(text, entities, *args, **kwargs)  # type: ignore[misc]


def _named(base: type, **kwargs: Any) -> dict[str, Any]:
    # Keep Presidio's recognizer name: results and context enhancement refer to it.
    return {"name": base.__name__, **kwargs}


class GatedIbanRecognizer(_Gated, IbanRecognizer):
    # Pattern (case-sensitive): [A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,6}...
    TRIGGER = re.compile(r"[A-Z]{2}[0-9]{2}")

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(**_named(IbanRecognizer, supported_language=supported_language))


class GatedIpRecognizer(_Gated, IpRecognizer):
    # IPv4: d.d.d.d; every IPv6 form (and IPv4-mapped/embedded, "::") holds
    # either "::" or at least two "hex:" groups in a row (the full 8-group form).
    TRIGGER = re.compile(r"[0-9]\.[0-9]{1,3}\.[0-9]|::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:")

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(**_named(IpRecognizer, supported_language=supported_language))


class GatedUsSsnRecognizer(_Gated, UsSsnRecognizer):
    # Its five patterns without their word boundaries: 5-4, 3-6, 3[- .]2[- .]4
    # (3-2-4 included), 9 digits.
    TRIGGER = re.compile(r"[0-9]{5}-[0-9]{4}|[0-9]{3}-[0-9]{6}|[0-9]{3}[- .][0-9]{2}[- .][0-9]{4}|[0-9]{9}")

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(**_named(UsSsnRecognizer, supported_language=supported_language))


class GatedUsItinRecognizer(_Gated, UsItinRecognizer):
    # 9\d{2}[- ]?(5\d|6[0-5]|7\d|8[0-8]|9...)...
    TRIGGER = re.compile(r"9\d{2}[- ]?[5-9]")

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(**_named(UsItinRecognizer, supported_language=supported_language))


class GatedUsPassportRecognizer(_Gated, UsPassportRecognizer):
    # \b[0-9]{9}\b or \b[A-Z][0-9]{8}\b: eight digits in a row either way.
    TRIGGER = re.compile(r"[0-9]{8}")

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(**_named(UsPassportRecognizer, supported_language=supported_language))


class GatedUkNinoRecognizer(_Gated, UkNinoRecognizer):
    # [letters]{2} ?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([a-dA-D])
    TRIGGER = re.compile(r"[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Da-d]")

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(**_named(UkNinoRecognizer, supported_language=supported_language))


class GatedCryptoRecognizer(_Gated, CryptoRecognizer):
    # (bc1|[13])[a-zA-HJ-NP-Z0-9]{25,59}, matched case-insensitively: a 1 or 3
    # followed by 25 letters/digits ("bc1..." contains "1" + 25 of them too).
    TRIGGER = re.compile(r"[13][a-z0-9]{25}", re.IGNORECASE)

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(**_named(CryptoRecognizer, supported_language=supported_language))
