"""How much text a personal-data detector may see, and in what pieces.

Detectors are libraries (spaCy's tokenizer, Presidio patterns, models) whose
worst case we do not control: spaCy's tokenizer is quadratic on a long run of
prefix characters ("$" x 5000 took 10 s), and one slow text in a worker thread
holds the interpreter's lock long enough to stall every other request. So at
the entry to detection, whatever detector is behind it:

- A request whose texts exceed the per-message or per-request limit is
  refused (`TextTooLarge`, a 413 in OpenAI's shape); nothing is sent. An
  answer over the limit is held, never released unchecked.
- Each text is analysed in bounded, overlapping windows, so a super-linear
  detector costs at most its cost on one window, times the number of windows.
- Runs of punctuation longer than any personal value contains are blanked
  (same length, so offsets hold) in the copy a detector reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from guardrail.pii.detection import Detection
from guardrail.pii.errors import PiiUnavailable

DEFAULT_MAX_MESSAGE_CHARS = 32_000
DEFAULT_MAX_REQUEST_CHARS = 128_000
DEFAULT_WINDOW_CHARS = 2_000
DEFAULT_DEADLINE_SECONDS = 10.0

# An overlap longer than any single personal value (an IBAN is 34, a street
# address line ~100), so a value cut by one window's edge is whole in the next.
_OVERLAP_CHARS = 200
# Symbols and punctuation in a row, no letter, digit or space: no personal
# value has 24 of them, and spaCy's affix splitting is quadratic on them.
_PUNCTUATION_RUN = re.compile(r"[^\w\s]{24,}")


class TextTooLarge(PiiUnavailable):
    """The texts are longer than the configured limits; nothing was analysed.

    A kind of `PiiUnavailable`, so every caller that fails closed when
    detection fails also fails closed here; the proxy answers it with a 413.
    """

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is longer than the limit of {limit} characters")
        self.what = what
        self.limit = limit


@dataclass(frozen=True)
class TextLimits:
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    max_request_chars: int = DEFAULT_MAX_REQUEST_CHARS
    window_chars: int = DEFAULT_WINDOW_CHARS
    # Wall-clock seconds one request's detection may take; past it the
    # request is refused (503) or the answer held.
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS

    def __post_init__(self) -> None:
        if self.window_chars <= 2 * _OVERLAP_CHARS:
            raise ValueError(f"window_chars must be more than {2 * _OVERLAP_CHARS}")

    def check(self, texts: Sequence[str]) -> None:
        """Raise `TextTooLarge` when one text or all of them are too long."""
        total = 0
        for text in texts:
            if len(text) > self.max_message_chars:
                raise TextTooLarge("One message", self.max_message_chars)
            total += len(text)
        if total > self.max_request_chars:
            raise TextTooLarge("The request's text", self.max_request_chars)


@dataclass(frozen=True)
class _Window:
    text_index: int
    start: int
    end: int


def windows(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of overlapping windows covering `text`, each at most
    `size` long, cut at whitespace when there is some near the edge."""
    if len(text) <= size:
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind(" ", end - _OVERLAP_CHARS // 2, end)
            end = cut if cut > start + _OVERLAP_CHARS else end
        out.append((start, end))
        if end >= len(text):
            return out
        start = end - _OVERLAP_CHARS


def detector_view(text: str) -> str:
    """The text as detectors read it: long punctuation runs blanked."""
    return _PUNCTUATION_RUN.sub(lambda m: " " * len(m.group()), text)


class Pieces:
    """The bounded pieces detectors analyse in place of whole texts.

    A detection cut by a window's edge is dropped when the neighbouring
    window holds it whole; one found twice in an overlap is kept once.
    """

    def __init__(self, texts: Sequence[str], limits: TextLimits) -> None:
        self._lengths = [len(text) for text in texts]
        self.texts: list[str] = []
        self._windows: list[_Window] = []
        for index, text in enumerate(texts):
            view = detector_view(text)
            for start, end in windows(view, limits.window_chars):
                self.texts.append(view[start:end])
                self._windows.append(_Window(index, start, end))

    def merge(self, found: Sequence[Sequence[Detection]]) -> list[tuple[Detection, ...]]:
        """Per original text, the pieces' detections in its coordinates."""
        merged: list[set[Detection]] = [set() for _ in self._lengths]
        for window, detections in zip(self._windows, found, strict=True):
            length = self._lengths[window.text_index]
            for d in detections:
                cut_left = d.start == 0 and window.start > 0
                cut_right = d.end == window.end - window.start and window.end < length
                if (cut_left or cut_right) and d.end - d.start < _OVERLAP_CHARS:
                    continue
                merged[window.text_index].add(
                    Detection(d.entity, window.start + d.start, window.start + d.end, d.score)
                )
        return [tuple(sorted(m, key=lambda d: (d.start, d.end, d.entity))) for m in merged]
