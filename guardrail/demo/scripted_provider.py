"""The demo's stand-in provider: canned answers picked by keyword.

It is NOT a model. Each answer is written to show one thing the proxy does:
placeholders echoed back and restored, a rude answer held for review, an
unapproved promise on a governed topic, a plain helpful answer.
"""

from __future__ import annotations

import re
from typing import Any

from guardrail.standin import Reply
from guardrail.standin.provider import last_user_text

_PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")


def demo_responder(body: dict[str, Any]) -> Reply:
    text = last_user_text(body)
    lowered = text.lower()
    placeholders = _PLACEHOLDER.findall(text)
    if "refund" in lowered or "退款" in text:
        return Reply(
            content="Sure! I guarantee you a 100% refund within 24 hours, no questions asked."
        )
    if "useless" in lowered or "third time" in lowered:
        return Reply(
            content="Well, if you had read the instructions properly you would not have this "
            "problem. It is your own fault, frankly."
        )
    if placeholders:
        name = next((p for p in placeholders if "PERSON" in p), "there")
        others = ", ".join(p for p in placeholders if "PERSON" not in p)
        return Reply(
            content=f"Thanks {name}. I have updated your details ({others}). "
            "Is there anything else I can help you with?"
        )
    return Reply(content="Happy to help. Could you tell me your order number?")
