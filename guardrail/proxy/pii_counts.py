"""How many personal-data values a request's new input had, by entity type,
read from the placeholders in its de-identified form (never from the values)."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from guardrail.pii.placeholders import PLACEHOLDER_RE

_REDACTED_RE = re.compile(r"<REDACTED_([A-Z][A-Z0-9_]*)>")


def new_entity_counts(messages: list[dict[str, Any]]) -> Counter[str]:
    """Distinct placeholders in the messages after the last assistant turn (what
    this request added), so a long conversation is not counted again each turn."""
    start = 0
    for index, message in enumerate(messages):
        if message.get("role") == "assistant":
            start = index + 1
    text = json.dumps(messages[start:], ensure_ascii=False)
    counts: Counter[str] = Counter(
        entity for entity, _number in set(PLACEHOLDER_RE.findall(text))
    )
    counts.update(_REDACTED_RE.findall(text))
    return counts
