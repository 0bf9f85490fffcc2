"""Restoring a streamed answer chunk by chunk.

Text is released as soon as it cannot be part of a placeholder. Only a tail
that could still become one ("<", "<PERS", "<PERSON_1") is held back, and
never more than the longest placeholder, so time-to-first-token is unchanged.
"""

from __future__ import annotations

from guardrail.pii.placeholders import (
    MAX_PLACEHOLDER_LEN,
    PARTIAL_PLACEHOLDER_RE,
    PLACEHOLDER_RE,
)
from guardrail.pii.restore import JsonStringTracker, Restorer


class StreamRestorer:
    def __init__(self, restorer: Restorer, *, json_arguments: bool = False) -> None:
        self._restorer = restorer
        self._pending = ""
        # Tool-call arguments stream as JSON: values are escaped for it.
        self._json = JsonStringTracker() if json_arguments else None

    def feed(self, chunk: str) -> str:
        """Text that is safe to emit now."""
        buffer = self._pending + chunk
        self._pending = ""
        out: list[str] = []
        cursor = 0
        while True:
            at = buffer.find("<", cursor)
            if at == -1:
                self._push(out, buffer[cursor:])
                break
            self._push(out, buffer[cursor:at])
            match = PLACEHOLDER_RE.match(buffer, at)
            if match:
                out.append(self._resolve(match.group(1) + "_" + match.group(2), match.group(0)))
                cursor = match.end()
                continue
            tail = buffer[at:]
            if len(tail) < MAX_PLACEHOLDER_LEN and PARTIAL_PLACEHOLDER_RE.match(tail):
                self._pending = tail
                break
            self._push(out, "<")
            cursor = at + 1
        return "".join(out)

    def flush(self) -> str:
        """The held-back tail at the end of the stream (never a placeholder by then)."""
        out: list[str] = []
        self._push(out, self._pending)
        self._pending = ""
        return "".join(out)

    def _resolve(self, label: str, written: str) -> str:
        if self._json is None:
            return self._restorer.resolve(label, written)
        # A restored value is already escaped for where it lands, so it leaves
        # the string/not-string state as it found it: it is not fed.
        return self._restorer.resolve(label, written, json_quoted=self._json.in_string)

    def _push(self, out: list[str], text: str) -> None:
        if self._json is not None:
            self._json.feed(text)
        out.append(text)
