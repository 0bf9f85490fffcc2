"""Which personal data in an answer the conversation itself supplied.

The leak check looks for personal data the customer did not give. Values the
de-identifier replaced are known to be the conversation's own; this module
adds the text the conversation supplied in clear: the customer's own messages
and the results of the app's own tools. An answer that repeats a tool result
("Tool said: Sunny, 21C") repeats the app's data back to its own customer,
whatever a detector makes of the words, so it is not another customer's data.

Matching is by whole words (case and punctuation ignored, each Han character a
word), so a foreign "Ann" is not excused by "planning".
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Iterable
from typing import Any

from guardrail.types import Span

# The roles whose text the conversation supplied: the customer, and the app's tools.
_OWN_ROLES = frozenset({"user", "tool", "function"})
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_HAN}]|[^\W_{_HAN}]+")
_SEP = "\x1f"


def _words(text: str) -> str:
    words = _WORD.findall(text.casefold())
    return _SEP + _SEP.join(words) + _SEP if words else ""


def _texts(message: dict[str, Any]) -> Iterable[str]:
    content = message.get("content")
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                yield part["text"]


class OwnText:
    """The words of the customer's messages and the app's tool results."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self._messages = messages
        self._haystacks: list[str] | None = None  # built on first use: most answers have no findings

    def supplied(self, value: str) -> bool:
        needle = _words(value)
        return bool(needle) and any(needle in haystack for haystack in self._words_of_messages())

    def _words_of_messages(self) -> list[str]:
        if self._haystacks is None:
            self._haystacks = [
                words
                for message in self._messages
                if isinstance(message, dict) and message.get("role") in _OWN_ROLES
                for text in _texts(message)
                if (words := _words(text))
            ]
        return self._haystacks


async def foreign_pii(
    pii: Any, text: str, protected: Any, policy: Any, own: OwnText | None
) -> tuple[tuple[str, Span], ...]:
    """Personal data in `text` that neither the vault nor the conversation's own text accounts for."""
    found: Awaitable[list[tuple[str, Span]]] = pii.find_foreign_pii(text, protected, policy.pii)
    return tuple(
        (entity, span)
        for entity, span in await found
        if own is None or not own.supplied(text[span.start : span.end])
    )
