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
from collections.abc import Mapping

from guardrail.pii.detection import Detection

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Shorter values match inside too many unrelated words.
_MIN_LENGTH = 3


def _pattern(value: str) -> re.Pattern[str]:
    body = re.escape(value)
    if _HAN.search(value):
        return re.compile(body)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _order(item: tuple[str, str]) -> tuple[int, str]:
    label, value = item
    return (-len(value), label)  # longest first: a full name before its parts


class KnownValues:
    """One conversation's values (label -> value), each compiled once."""

    def __init__(
        self,
        values: Mapping[str, str],
        _compiled: Mapping[str, tuple[str, re.Pattern[str]]] | None = None,
    ) -> None:
        compiled = dict(_compiled or {})
        for label, value in values.items():
            if label not in compiled and len(value.strip()) >= _MIN_LENGTH:
                compiled[label] = (label.rsplit("_", 1)[0], _pattern(value))
        self._values = dict(values)
        self._compiled = compiled
        self._patterns = [
            compiled[label] for label, _ in sorted(self._values.items(), key=_order) if label in compiled
        ]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def __len__(self) -> int:
        """How many values (searched or too short to be): a size for caches."""
        return len(self._values)

    def extended(self, values: Mapping[str, str]) -> KnownValues:
        """These values plus `values`; only the new ones are compiled."""
        merged = {**self._values, **values}
        compiled = {label: c for label, c in self._compiled.items() if merged[label] == self._values[label]}
        return KnownValues(merged, compiled)

    def add_to(self, text: str, detections: list[Detection]) -> list[Detection]:
        """`detections` plus the known values they miss, sorted, never overlapping."""
        taken = [(d.start, d.end) for d in detections]
        added: list[Detection] = []
        for entity, pattern in self._patterns:
            for match in pattern.finditer(text):
                span = (match.start(), match.end())
                if any(start < span[1] and span[0] < end for start, end in taken):
                    continue
                taken.append(span)
                added.append(Detection(entity, span[0], span[1], 1.0))
        if not added:
            return detections
        return sorted([*detections, *added], key=lambda d: d.start)

    def __repr__(self) -> str:  # never the values
        return f"KnownValues(values={len(self._values)})"
