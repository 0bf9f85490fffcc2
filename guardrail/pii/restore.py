"""Putting the customer's values back into what the model wrote.

Only labels this conversation issued are resolved, by exact match; a
placeholder the model invented or altered stays as written and is counted.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field

from guardrail.pii.placeholders import PLACEHOLDER_RE
from guardrail.types import Span


@dataclass(frozen=True, slots=True)
class _Replacement:
    restored_start: int
    restored_end: int
    source_start: int
    source_end: int


@dataclass(frozen=True)
class SpanMap:
    """Maps spans of restored text back onto the de-identified text it came from."""

    _replacements: tuple[_Replacement, ...] = ()
    _starts: tuple[int, ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, replacements: list[_Replacement]) -> SpanMap:
        return cls(tuple(replacements), tuple(r.restored_start for r in replacements))

    def to_source(self, span: Span) -> Span:
        """A span touching part of a restored value grows to cover its whole placeholder."""
        return Span(self._position(span.start, is_end=False), self._position(span.end, is_end=True))

    def _position(self, offset: int, *, is_end: bool) -> int:
        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return offset
        r = self._replacements[index]
        if offset == r.restored_start:
            return r.source_start
        if offset < r.restored_end:
            return r.source_end if is_end else r.source_start
        return offset - r.restored_end + r.source_end


class Restorer:
    """Resolves placeholders against one conversation's labels."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values
        self.unknown_placeholders = 0

    @property
    def values(self) -> dict[str, str]:
        return self._values

    def resolve(self, label: str, written: str, *, json_quoted: bool | None = None) -> str:
        value = self._values.get(label)
        if value is None:
            self.unknown_placeholders += 1
            return written
        if json_quoted is None:
            return value
        encoded = json.dumps(value, ensure_ascii=False)
        return encoded[1:-1] if json_quoted else encoded

    def restore_with_map(self, text: str) -> tuple[str, SpanMap]:
        if "<" not in text:
            return text, SpanMap()
        out: list[str] = []
        replacements: list[_Replacement] = []
        cursor = 0
        length = 0
        for match in PLACEHOLDER_RE.finditer(text):
            out.append(text[cursor : match.start()])
            length += match.start() - cursor
            restored = self.resolve(match.group(1) + "_" + match.group(2), match.group(0))
            out.append(restored)
            replacements.append(
                _Replacement(length, length + len(restored), match.start(), match.end())
            )
            length += len(restored)
            cursor = match.end()
        out.append(text[cursor:])
        return "".join(out), SpanMap.of(replacements)

    def restore_json(self, arguments: str) -> str:
        """Restore inside a JSON document, escaping values for where they land."""
        if "<" not in arguments:
            return arguments
        tracker = JsonStringTracker()
        out: list[str] = []
        cursor = 0
        for match in PLACEHOLDER_RE.finditer(arguments):
            tracker.feed(arguments[cursor : match.start()])
            out.append(arguments[cursor : match.start()])
            label = match.group(1) + "_" + match.group(2)
            out.append(self.resolve(label, match.group(0), json_quoted=tracker.in_string))
            tracker.feed(match.group(0))
            cursor = match.end()
        out.append(arguments[cursor:])
        return "".join(out)


class JsonStringTracker:
    """Whether the next character of a JSON text falls inside a string literal."""

    def __init__(self) -> None:
        self.in_string = False
        self._escaped = False

    def feed(self, text: str) -> None:
        for char in text:
            if self._escaped:
                self._escaped = False
            elif self.in_string and char == "\\":
                self._escaped = True
            elif char == '"':
                self.in_string = not self.in_string
