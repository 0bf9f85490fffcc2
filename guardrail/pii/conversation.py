"""One conversation's de-identified messages and the means to restore answers."""

from __future__ import annotations

import re
from typing import Any

from guardrail.pii.messages import text_slots
from guardrail.pii.normalise import IDENTIFIERS, normalise
from guardrail.pii.restore import Restorer, SpanMap
from guardrail.pii.streaming import StreamRestorer

# Letters, digits and Han characters: a Chinese name or address is all Han.
_COMPARABLE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class ProtectedConversation:
    """What `PiiService.protect` returns (and `restorer_for` rebuilds).

    `conversation_id` is our opaque id (a keyed digest), safe to log and store;
    it is never the header value the app sent.
    """

    def __init__(
        self,
        *,
        messages: list[dict[str, Any]],
        conversation_id: str,
        scope: str,
        values: dict[str, str],
        blocked_entities: tuple[str, ...] = (),
        fields: dict[str, Any] | None = None,
    ) -> None:
        self.messages = messages
        # The request's other de-identified fields (user, metadata, tools).
        self.fields: dict[str, Any] = fields or {}
        self.conversation_id = conversation_id
        self.scope = scope
        self.blocked_entities = blocked_entities
        self._restorer = Restorer(values)
        self._clear_text: str | None = None

    @property
    def unknown_placeholders(self) -> int:
        """Invented or altered placeholders seen by restore calls so far."""
        return self._restorer.unknown_placeholders

    @property
    def labels(self) -> frozenset[str]:
        """Labels this conversation may resolve (never their values)."""
        return frozenset(self._restorer.values)

    def restore(self, text: str) -> str:
        return self._restorer.restore_with_map(text)[0]

    def restore_with_map(self, text: str) -> tuple[str, SpanMap]:
        return self._restorer.restore_with_map(text)

    def restore_arguments(self, arguments: str) -> str:
        return self._restorer.restore_json(arguments)

    def stream_restorer(self, *, json_arguments: bool = False) -> StreamRestorer:
        return StreamRestorer(self._restorer, json_arguments=json_arguments)

    def is_own_value(self, value: str, entity: str | None = None) -> bool:
        """Whether `value` is (part of) one of this conversation's own values.

        With `entity`, like is compared with like: only this conversation's
        values of that kind count, identifiers by their normalised digits and
        letters (the phone the customer gave, written another way, is theirs),
        and a value the customer wrote that detection left in clear (it is
        still in the de-identified messages) is theirs too.
        """
        needle = _COMPARABLE.sub("", value.casefold())
        if not needle:
            return False
        own = self._restorer.values
        candidates = own.items() if entity is None else [
            (label, v) for label, v in own.items() if label.rsplit("_", 1)[0] == entity
        ]
        for _label, known in candidates:
            if entity is not None and _same_identifier(entity, value, known):
                return True
            haystack = _COMPARABLE.sub("", known.casefold())
            if needle == haystack or (len(needle) >= 3 and needle in haystack):
                return True
        return entity is not None and self._written_in_clear(value)

    def _written_in_clear(self, value: str) -> bool:
        if self._clear_text is None:
            self._clear_text = "\n".join(slot.text for slot in text_slots(self.messages)).casefold()
        folded = value.casefold().strip()
        return bool(folded) and re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", self._clear_text) is not None

    def __repr__(self) -> str:  # never the values
        return (
            f"ProtectedConversation(conversation_id={self.conversation_id!r}, "
            f"labels={len(self._restorer.values)}, blocked={self.blocked_entities!r})"
        )


def _same_identifier(entity: str, value: str, known: str) -> bool:
    """Two writings of one identifier; a phone also with or without its
    country or trunk prefix (the last 8 digits agree)."""
    if entity not in IDENTIFIERS:
        return False
    a, b = normalise(entity, value), normalise(entity, known)
    if a == b:
        return True
    return entity == "PHONE_NUMBER" and min(len(a), len(b)) >= 8 and a[-8:] == b[-8:]
