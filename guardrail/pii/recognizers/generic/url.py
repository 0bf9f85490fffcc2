"""Web addresses. Cheaper than Presidio's (one short pattern instead of a
long alternation), and it never claims the domain of an email address."""

from __future__ import annotations

import re

from guardrail.pii.recognizers.base import Pattern, RegexRecognizer

_TLDS = "com|org|net|edu|gov|io|co|uk|au|ca|nz|ie|de|fr|cn|tw|hk|info|biz|me|app|dev|shop|store"


class WebAddressRecognizer(RegexRecognizer):
    ENTITY = "URL"
    PATTERNS = (
        Pattern(
            "scheme",
            r"(?<![A-Za-z0-9@.])(?:https?://|www\.)"
            r"[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?]",
            0.6,
            re.I,
        ),
        Pattern(
            "bare-domain",
            rf"(?<![A-Za-z0-9@.\-/])(?:[A-Za-z0-9-]+\.)+(?:{_TLDS})(?![A-Za-z0-9@-])"
            r"(?:/[^\s<>\"']*[^\s<>\"'.,;:!?])?",
            0.4,
            re.I,
        ),
    )
    CONTEXT = ("url", "link", "website", "site", "web", "page", "profile")
