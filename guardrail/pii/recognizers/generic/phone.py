"""Phone numbers in international and national formats.

Presidio's recognizer runs phonenumbers' matcher over the whole text for
several regions and is its slowest recognizer (Presidio #1094). Here a cheap
regex proposes digit groups shaped like a phone number; shape rules reject
dates, IPv4 addresses, amounts and SSN-shaped runs; phonenumbers only looks at
the few candidates, to raise the score of numbers valid somewhere.
"""

from __future__ import annotations

import re

import phonenumbers

from guardrail.pii.recognizers.base import Pattern, RegexRecognizer

_REGIONS = ("US", "GB", "AU", "CA", "NZ", "IE", "IN", "SG", "HK", "CN", "TW", "DE", "FR")

_DATE_RE = re.compile(
    r"[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}|[0-9]{1,2}[-./][0-9]{1,2}[-./][0-9]{2,4}"
)
_IPV4_RE = re.compile(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}")
_SSN_SHAPE_RE = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}")
_EXTENSION_RE = re.compile(r"\s*(?:x|ext\.?|extension)\s*[0-9]{1,6}$", re.IGNORECASE)


class PhoneNumberRecognizer(RegexRecognizer):
    ENTITY = "PHONE_NUMBER"
    PATTERNS = (
        Pattern(
            "grouped",
            r"(?<![A-Za-z0-9+_.-])"
            r"(?:\+|00)?(?:\([0-9]{1,5}\)[ .-]?[0-9]{1,8}|\(?[0-9]{1,15}\)?)"
            # "(0)" trunk marks run straight into the area code: +44(0)131 ...
            # A group may hold a whole subscriber number after a country or
            # area code (+43 31656224154, (351) 925807302); the digit count
            # is checked in validate().
            r"(?:[ .-]{1,2}\(?[0-9]{1,12}\)?|\([0-9]{1,5}\)[0-9]{0,12}){0,6}"
            r"(?:\s*(?:x|ext\.?|extension)\s*[0-9]{1,6})?"
            r"(?![A-Za-z0-9]|\.[0-9]|-[0-9])",
            0.6,
            re.IGNORECASE,
        ),
    )
    CONTEXT = (
        "phone", "phoned", "call", "called", "mobile", "cell", "tel", "telephone", "reach", "text",
        "whatsapp", "landline", "ring", "rang", "fax", "ph", "contact", "number", "no", "#", "line",
    )

    # Words that name a reference number; the nearest of these before a digit
    # run makes it a reference unless a STRONG_CONTEXT word follows it.
    COUNTER_CONTEXT = (
        "order", "ticket", "invoice", "tracking", "reference", "ref", "case", "booking",
        "reservation", "confirmation", "receipt", "transaction", "sku", "item", "po", "parcel",
        "订单", "单号", "工单", "快递", "运单", "訂單", "單號",
    )
    STRONG_CONTEXT = (
        "phone", "phoned", "call", "called", "mobile", "cell", "tel", "telephone", "whatsapp",
        "landline", "ring", "rang", "fax", "text", "电话", "手机", "電話", "手機",
    )

    def validate(self, value: str, pattern: Pattern) -> float | None:
        core = _EXTENSION_RE.sub("", value).strip()
        digits = re.sub(r"[^0-9]", "", core)
        if not 7 <= len(digits) <= 15:
            return None
        if _DATE_RE.fullmatch(core) or _IPV4_RE.fullmatch(core) or _SSN_SHAPE_RE.fullmatch(core):
            return None
        international = core.startswith(("+", "00"))
        separated = any(ch in core for ch in " .-()")
        if not separated and not international:
            # A bare digit run: an order number as often as a phone. National
            # numbers with a trunk prefix (07700900123) are the usual exception.
            if len(digits) in (10, 11) and digits[0] in "01":
                return 0.4
            # A ten-digit run that is a valid North American number is more
            # often a phone than not; a reference word before it ("order",
            # "ticket") still wins (see context.py).
            if len(digits) == 10 and _valid_north_american(digits):
                return 0.45
            # Shorter runs only with a context word ("phone 1399306").
            return 0.2 if len(digits) >= 10 else 0.05
        if core.count(".") == 1 and len(digits) <= 8:
            return 0.3  # "5162.0466" reads as a decimal without a context word
        score = 0.6 if len(digits) >= 9 else 0.4
        if international or "(" in core:
            score += 0.1
        if _valid_somewhere(core):
            score += 0.15
        return score


def _valid_north_american(digits: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(digits, "US"))
    except phonenumbers.NumberParseException:
        return False


def _valid_somewhere(number: str) -> bool:
    regions: tuple[str | None, ...] = (None,) if number.startswith("+") else _REGIONS
    for region in regions:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return True
    return False
