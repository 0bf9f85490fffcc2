"""One conversation's de-identified messages and the means to restore answers."""

from __future__ import annotations

import re
from typing import Any

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

    def is_own_value(self, value: str) -> bool:
        """Whether `value` is (part of) one of this conversation's own values."""
        needle = _COMPARABLE.sub("", value.casefold())
        if not needle:
            return False
        for own in self._restorer.values.values():
            haystack = _COMPARABLE.sub("", own.casefold())
            if needle == haystack or (len(needle) >= 3 and needle in haystack):
                return True
        return False

    def __repr__(self) -> str:  # never the values
        return (
            f"ProtectedConversation(conversation_id={self.conversation_id!r}, "
            f"labels={len(self._restorer.values)}, blocked={self.blocked_entities!r})"
        )
