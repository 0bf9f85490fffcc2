"""Values this conversation already has placeholders for, found verbatim.

The proxy restores placeholders into what the app receives: answer text and
tool-call arguments. When the app sends that history back, a restored value
must leave as the same placeholder again, whether or not the analyzer would
find it out of context: a name alone as a JSON argument (`{"name": "Priya
Raghunathan"}`) is often not recognised where the sentence it came from was.
So every known value of the conversation is also looked for by exact text
(case-insensitive, whole words; Han text by substring), and each occurrence
the analyzer missed becomes a detection of the value's own entity type.
"""

from __future__ import annotations

import re

from guardrail.pii.detection import Detection

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Shorter values match inside too many unrelated words.
_MIN_LENGTH = 3


def _pattern(value: str) -> re.Pattern[str]:
    body = re.escape(value)
    if _HAN.search(value):
        return re.compile(body)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


class KnownValues:
    """One conversation's values (label -> value), compiled once per request."""

    def __init__(self, values: dict[str, str]) -> None:
        self._patterns = [
            (label.rsplit("_", 1)[0], _pattern(value))
            for label, value in sorted(values.items(), key=lambda item: -len(item[1]))
            if len(value.strip()) >= _MIN_LENGTH
        ]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def add_to(self, text: str, detections: list[Detection]) -> list[Detection]:
        """`detections` plus the known values they miss, sorted, never overlapping."""
        taken = [(d.start, d.end) for d in detections]
        added: list[Detection] = []
        for entity, pattern in self._patterns:  # longest first: a full name before its parts
            for match in pattern.finditer(text):
                span = (match.start(), match.end())
                if any(start < span[1] and span[0] < end for start, end in taken):
                    continue
                taken.append(span)
                added.append(Detection(entity, span[0], span[1], 1.0))
        if not added:
            return detections
        return sorted([*detections, *added], key=lambda d: d.start)
