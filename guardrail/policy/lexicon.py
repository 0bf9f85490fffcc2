"""Phrase lists matched word-aware, case-insensitively and through evasions.

Single Latin words go into a set looked up per token (fast for long lists
such as profanity); phrases of several words, with symbols or in Chinese go
into one compiled regex. Both run on a `TextView`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..types import Span
from .textview import LATIN, TextView, normalise, stretched_variants

_SINGLE_WORD = re.compile(f"[{LATIN}]+")
_RUN = re.compile(r"([a-z])\1*|\s+|.", re.DOTALL)


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    phrase: str  # the policy's own entry, safe to quote: it is not customer data
    span: Span


def _phrase_body(phrase: str) -> str:
    """'no way' -> 'n+o+[\\s\\-_]+w+a+y+', with a Latin word boundary at its end."""
    body = []
    for m in _RUN.finditer(phrase):
        run = m.group()
        if run[0].isspace():
            body.append(r"[\s\-_]+")
        elif len(run) > 1 or "a" <= run <= "z":
            # A letter written n times may be stretched, never shortened:
            # "ass" must not match "as".
            body.append(re.escape(run[0]) + ("+" if len(run) == 1 else f"{{{len(run)},}}"))
        else:
            body.append(re.escape(run))
    right = f"(?![{LATIN}])" if re.search(f"[{LATIN}]$", phrase) else ""
    return "".join(body) + right


def _starts_latin(phrase: str) -> bool:
    return re.match(f"[{LATIN}]", phrase) is not None


_WORD_START = f"(?<![{LATIN}])"


def _phrase_regex(phrase: str) -> str:
    return (_WORD_START if _starts_latin(phrase) else "") + _phrase_body(phrase)


class Lexicon:
    def __init__(self, phrases: Iterable[str]) -> None:
        self._words: dict[str, str] = {}
        patterns: list[str] = []
        self._phrases: dict[str, str] = {}
        for phrase in phrases:
            norm, _ = normalise(phrase.strip())
            norm = " ".join(norm.split())
            if not norm:
                continue
            if _SINGLE_WORD.fullmatch(norm):
                self._words.setdefault(norm, phrase)
            elif norm not in self._phrases:
                self._phrases[norm] = phrase
                patterns.append(_phrase_regex(norm))
        # Longest first, so "refund within 24 hours" wins over "refund". The
        # word-start test is factored out of the alternation: the regex then
        # skips mid-word positions at once (this is most of the matching cost).
        norms = sorted(self._phrases, key=len, reverse=True)
        latin = [_phrase_body(n) for n in norms if _starts_latin(n)]
        other = [_phrase_body(n) for n in norms if not _starts_latin(n)]
        parts = ([f"{_WORD_START}(?:{'|'.join(latin)})"] if latin else []) + other
        self._regex = re.compile("|".join(parts)) if parts else None
        self._entries = [(re.compile(_phrase_regex(n)), p) for n, p in self._phrases.items()]

    def __bool__(self) -> bool:
        return bool(self._words or self._regex)

    def finditer(self, view: TextView) -> Iterator[PhraseMatch]:
        if self._words and not self._words.keys().isdisjoint(view.token_keys):
            words = self._words
            for token, start, end in view.tokens:
                entry = words.get(token)
                if entry is None:
                    entry = next((words[v] for v in stretched_variants(token) if v in words), None)
                if entry is not None:
                    yield PhraseMatch(entry, view.span(start, end))
        if self._regex is not None:
            for m in self._regex.finditer(view.text):
                yield PhraseMatch(self._entry_for(m.group()), view.span(m.start(), m.end()))

    def _entry_for(self, matched: str) -> str:
        # Name the policy entry that matched (never echo the matched text:
        # it comes from the answer and could hold personal data).
        for regex, phrase in self._entries:
            if regex.fullmatch(matched):
                return phrase
        return "a listed phrase"

    def search(self, view: TextView) -> PhraseMatch | None:
        return next(self.finditer(view), None)
