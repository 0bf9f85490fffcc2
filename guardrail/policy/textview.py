"""A normalised view of a text for phrase matching, with offsets back to it.

Evasions the view undoes: case, l33t digits and symbols inside words
("sh1t", "@ss"), and letters spaced out ("s.p.a.c.e.d", "f u c k").
Traditional Chinese is read as Simplified (chinese.py). Repeated
letters are handled by the matcher ("stuuupid"). Spans found in the view map
back to the original text, so findings point at what the customer would see.
"""

from __future__ import annotations

import re
from functools import cached_property

from guardrail.chinese_script import to_simplified

from ..types import Span

# Latin letters and digits: the characters a "word" boundary is about. CJK
# has no spaces between words, so a Chinese phrase is matched as a substring.
LATIN = "0-9a-z\u00c0-\u024f"
LATIN_TOKEN = re.compile(f"[{LATIN}]+")

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
# A run of letters, digits and leet symbols; only a run with at least one
# letter is read as a word: digits in "24 hours" or "$20" stay digits.
# (Whole runs, never a pattern that backtracks: this runs on every answer.)
_LEET_RUN = re.compile(r"[a-z0-9@$!]+")
_HAS_LETTER = re.compile(r"[a-z]")
_SEPARATORS = " .-_*+"
_TRIPLE = re.compile(r"([a-z])\1\1")


def _unleet(match: re.Match[str]) -> str:
    token = match.group()
    if _HAS_LETTER.search(token) is None:
        return token
    core = token.rstrip("!")  # "thanks!" is punctuation, "sh!t" is not
    return core.translate(_LEET) + token[len(core) :]


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\uff07": "'"})


def normalise(text: str) -> tuple[str, list[int] | None]:
    """Return the view and, when its length differs, view index -> text index."""
    low = text.lower()
    offsets: list[int] | None = None
    if len(low) != len(text):  # a few characters lower-case to two ("İ")
        low = "".join(ch.lower()[:1] for ch in text)
    low = low.translate(_QUOTES)
    # Traditional -> Simplified, same length: "保證" matches the phrase "保证".
    low = to_simplified(low)
    spaced = spaced_out(low)
    if spaced:
        pieces: list[str] = []
        offsets = []
        pos = 0
        for start, end in spaced:
            pieces.append(low[pos:start])
            offsets.extend(range(pos, start))
            for i in range(start, end):
                if low[i] not in _SEPARATORS:
                    pieces.append(low[i])
                    offsets.append(i)
            pos = end
        pieces.append(low[pos:])
        offsets.extend(range(pos, len(low)))
        low = "".join(pieces)
    return _LEET_RUN.sub(_unleet, low), offsets


def spaced_out(text: str) -> list[tuple[int, int]]:
    """Spans of three or more single characters joined by one separator
    ("c.h.e.a.p", "f u c k"); one separator throughout keeps "a c.h.e.a.p"
    from eating the "a". A letter is a character `str.isalnum` accepts.

    A single left-to-right scan: the regular expression this replaces
    (`[^\\W_]([ .*+_-])(?:[^\\W_]\\1)+[^\\W_]` between non-letters) restarted at
    every letter of a long spaced-out run, quadratic time on the event loop.
    """
    spans: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    while i + 4 < n:
        if not text[i].isalnum() or (i > 0 and text[i - 1].isalnum()) or text[i + 1] not in _SEPARATORS:
            i += 1
            continue
        sep = text[i + 1]
        last = i  # the last single character of the run so far
        while last + 2 < n and text[last + 1] == sep and text[last + 2].isalnum():
            last += 2
            if last + 1 < n and text[last + 1].isalnum():
                last -= 2  # "a b cd": the run ends before the longer word
                break
        if last - i >= 4:
            spans.append((i, last + 1))
            i = last + 1
        else:
            i += 1
    return spans


class TextView:
    def __init__(self, text: str) -> None:
        self.original = text
        self.text, self._offsets = normalise(text)

    def span(self, start: int, end: int) -> Span:
        if self._offsets is None:
            return Span(start, end)
        return Span(self._offsets[start], self._offsets[end - 1] + 1)

    @cached_property
    def tokens(self) -> list[tuple[str, int, int]]:
        return [(m.group(), m.start(), m.end()) for m in LATIN_TOKEN.finditer(self.text)]

    @cached_property
    def has_repeats(self) -> bool:
        return _TRIPLE.search(self.text) is not None

    @cached_property
    def token_keys(self) -> frozenset[str]:
        """Every token, plus its stretched letters collapsed ("stuuupid" ->
        "stupid", "asss" -> "ass"): a lexicon intersects this set first, so
        the usual text with no listed word costs one set operation."""
        keys = {token for token, _, _ in self.tokens}
        if self.has_repeats:
            keys |= {v for token in list(keys) for v in stretched_variants(token)}
        return frozenset(keys)


_LONG_RUN = re.compile(r"([a-z])\1{2,}")


def stretched_variants(token: str) -> tuple[str, ...]:
    if _LONG_RUN.search(token) is None:
        return ()
    return (_LONG_RUN.sub(r"\1", token), _LONG_RUN.sub(r"\1\1", token))


class CheckedText(str):
    """The text under check, carrying its view so that the several phrase
    checks of one evaluation normalise it once (instead of a global cache
    that would keep customers' answers in memory)."""

    _view: TextView | None = None


def view_of(text: str) -> TextView:
    if isinstance(text, CheckedText):
        if text._view is None:
            text._view = TextView(str(text))
        return text._view
    return TextView(text)
