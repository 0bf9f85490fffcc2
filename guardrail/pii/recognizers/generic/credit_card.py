"""Payment card numbers: 12-19 digits, with or without space/dash groups, Luhn-checked.

A digit run is split at its separators and every run of whole groups is tried,
so "4111 1111 1111 1111 0425" (card then expiry) still yields the card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrail.pii.recognizers.base import Candidate, Pattern, RegexRecognizer, luhn_valid

# Issuer prefixes (first digit) of the major networks: Visa 4, Mastercard 2/5,
# Amex/Diners/JCB 3, Discover/Maestro/UnionPay 6, UATP 1.
_ISSUER_FIRST_DIGITS = frozenset("123456")
_GROUP_RE = re.compile(r"[0-9]+")
_MAX_DIGITS = 19


class PaymentCardRecognizer(RegexRecognizer):
    ENTITY = "CREDIT_CARD"
    PATTERNS = (
        Pattern("digit-run", r"(?<![0-9A-Za-z-])[0-9](?:[ -]?[0-9]){11,}(?![0-9A-Za-z])", 0.9),
    )
    CONTEXT = (
        "card", "credit", "debit", "visa", "mastercard", "amex", "discover", "maestro",
        "jcb", "cc", "payment", "pay", "charged",
    )

    def candidates(self, text: str) -> Iterator[Candidate]:
        for _pattern, regex in self._compiled:
            for match in regex.finditer(text):
                found = self._best_card(match.group(0), match.start())
                if found is not None:
                    yield found

    @staticmethod
    def _best_card(run: str, offset: int) -> Candidate | None:
        groups = [(m.start(), m.end()) for m in _GROUP_RE.finditer(run)]
        # Longest window of whole groups first, leftmost first. A window of
        # more than 19 groups has more than 19 digits: never tried, so a long
        # run of spaced digits costs linear, not cubic, time.
        for size in range(min(len(groups), _MAX_DIGITS), 0, -1):
            for first in range(len(groups) - size + 1):
                start, end = groups[first][0], groups[first + size - 1][1]
                count = sum(e - s for s, e in groups[first : first + size])
                if not 12 <= count <= _MAX_DIGITS or run[start] not in _ISSUER_FIRST_DIGITS:
                    continue
                digits = "".join(run[s:e] for s, e in groups[first : first + size])
                if not luhn_valid(digits):
                    continue
                # 12-digit Maestro numbers look like any order number: they
                # need a context word ("card") to pass the usual threshold.
                score = 0.9 if len(digits) >= 13 else 0.3
                return Candidate(offset + start, offset + end, score)
        return None
