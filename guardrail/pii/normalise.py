"""What "the same value" means per entity type, for stable placeholders.

"4111 1111 1111 1111" and "4111111111111111" are one card; "Sarah@Example.com"
and "sarah@example.com" one address. Identifiers compare by their letters and
digits, everything else by case-folded text with collapsed whitespace.
"""

from __future__ import annotations

import re

IDENTIFIERS = frozenset(
    {
        "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "US_ITIN", "US_PASSPORT",
        "UK_NHS", "UK_NINO", "IP_ADDRESS", "CN_RESIDENT_ID", "TW_NATIONAL_ID", "HK_ID_CARD",
        "PASSPORT_NUMBER",
    }
)
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z:]")  # ":" keeps IPv6 groups apart
_SPACE = re.compile(r"\s+")


def normalise(entity: str, value: str) -> str:
    if entity in IDENTIFIERS:
        return _NOT_ALNUM.sub("", value).upper()
    return _SPACE.sub(" ", value.strip()).casefold()
