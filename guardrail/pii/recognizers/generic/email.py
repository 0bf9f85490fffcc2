"""Email addresses, without Presidio's tldextract check (it fetches the public
suffix list over the network on first use)."""

from __future__ import annotations

from guardrail.pii.recognizers.base import Pattern, RegexRecognizer


class EmailAddressRecognizer(RegexRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    PATTERNS = (
        Pattern(
            "email",
            # ASCII look-arounds so an address glued to CJK text is still found.
            r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,62}[A-Za-z0-9_%+-])?"
            r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
            r"(?![A-Za-z0-9-])",
            0.9,
        ),
    )
    CONTEXT = ("email", "e-mail", "mail", "address", "contact")
