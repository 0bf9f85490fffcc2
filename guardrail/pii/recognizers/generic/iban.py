"""Account numbers in IBAN form whose check digits hold, whatever the country.

Presidio's IBAN recognizer accepts a value only in the registered length and
layout of its country, so an account number in IBAN form from a country it
does not list (PH46 8906 ..., BD11 ...), in a layout it does not expect, or
typed in lower case reaches the provider whole although its mod-97 check
digits are right. Here any value shaped like an IBAN (two letters, two check
digits, then 10-30 letters and digits, optionally in space- or dash-separated
groups) counts when ISO 7064 mod 97-10 holds, most of it is digits and its
first two letters name a country. A random
string passes the check one time in 97, so order and waybill numbers, which
often look alike ("JD" and "YT" courier numbers, "DD" order numbers), are
left when a label names them as such just before (COUNTER_CONTEXT). The score stays below
Presidio's (1.0) for values in their country's own layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from phonenumbers import SUPPORTED_REGIONS

from guardrail.pii.recognizers.base import Candidate, Pattern, RegexRecognizer

_GROUP_RE = re.compile(r"[A-Za-z0-9]+")
_MIN_LENGTH, _MAX_LENGTH = 14, 34
# Account numbers are mostly digits (a few countries put a 4-letter bank code
# first); a window of ordinary words after "AB12" is not an account number.
_MIN_DIGITS_AFTER_CHECK = 8


class IbanChecksumRecognizer(RegexRecognizer):
    ENTITY = "IBAN_CODE"
    PATTERNS = (
        Pattern(
            "iban-shaped",
            # A country code and check digits, then at most nine more
            # groups, so a long run of words costs little.
            r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]*(?:[ -][A-Za-z0-9]+){0,9}",
            0.6,
        ),
    )
    CONTEXT = ("iban", "account", "bank", "transfer", "wire", "sepa", "swift", "bic")
    # A number labelled as something else right before it ("tracking number
    # YT06...", "单号JD67...") is that, unless "iban" comes between (context.py).
    COUNTER_CONTEXT = (
        "order", "tracking", "invoice", "waybill", "parcel", "reference", "ref", "ticket",
        "订单", "訂單", "单号", "單號", "运单", "運單", "快递", "快遞", "发票", "發票", "编号", "編號",
    )
    STRONG_CONTEXT = ("iban",)

    def candidates(self, text: str) -> Iterator[Candidate]:
        for pattern, regex in self._compiled:
            for match in regex.finditer(text):
                if match.group(0)[:2].upper() not in SUPPORTED_REGIONS:
                    continue  # ISO 3166 country codes, from phonenumbers' metadata
                end = _longest_valid_prefix(match.group(0))
                if end is not None:
                    yield Candidate(match.start(), match.start() + end, pattern.score)


def _longest_valid_prefix(run: str) -> int | None:
    """End of the longest run of whole groups, from the first, that is a valid IBAN."""
    ends = [m.end() for m in _GROUP_RE.finditer(run)]
    for end in reversed(ends):
        compact = re.sub(r"[ -]", "", run[:end]).upper()
        if len(compact) > _MAX_LENGTH:
            continue
        if len(compact) < _MIN_LENGTH:
            return None
        if sum(c.isdigit() for c in compact[4:]) >= _MIN_DIGITS_AFTER_CHECK and mod97_valid(compact):
            return end
    return None


def mod97_valid(compact: str) -> bool:
    """ISO 7064 mod 97-10 over an upper-case IBAN without separators."""
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in rearranged))
    except ValueError:
        return False
    return number % 97 == 1
