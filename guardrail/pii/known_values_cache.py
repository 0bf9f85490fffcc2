"""Each conversation's known values, kept between its turns.

Every turn with history masks the conversation's known values again
(`known_values.py`). Reading them all from the vault, decrypting and
compiling a pattern per value on every turn made an 11-message conversation
cost about 1.4x its newest message. So the compiled values stay here,
stamped with the vault's generation of the conversation (`Vault`: a random
token the allocation script replaces whenever it issues a label). A turn
reads that one field; an entry whose stamp differs (another request or
replica added values, or the conversation expired and began again) is
rebuilt from the vault. A request that issues labels extends the entry
itself when the vault says nothing else changed in between.

Bounded: at most `max_conversations` entries and `max_values` values in all,
least recently used dropped first, and no entry is older than `max_age_seconds`.
Keys are the conversation's opaque id (a keyed digest), never a value; the
values themselves stay in this process only, like any request's.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from guardrail.pii.known_values import KnownValues
from guardrail.pii.vault import Allocation


@dataclass(frozen=True, slots=True)
class _Entry:
    generation: str
    known: KnownValues
    stored_at: float


class KnownValuesCache:
    def __init__(
        self,
        *,
        max_conversations: int = 1024,
        max_values: int = 50_000,
        max_age_seconds: float = 600.0,
    ) -> None:
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._max_conversations = max_conversations
        self._max_values = max_values
        self._max_age = max_age_seconds
        self._values = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def values(self) -> int:
        """Values held over all entries."""
        return self._values

    def get(self, scope: str, conversation_id: str, generation: str | None) -> KnownValues | None:
        """The conversation's values if they were cached at `generation`."""
        if generation is None:
            return None
        key = (scope, conversation_id)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.generation != generation or time.monotonic() - entry.stored_at > self._max_age:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.known

    def put(self, scope: str, conversation_id: str, generation: str | None, known: KnownValues) -> None:
        if generation is None:  # the vault cannot vouch for this state
            self._drop((scope, conversation_id))
            return
        self._store((scope, conversation_id), _Entry(generation, known, time.monotonic()))

    def advance(self, scope: str, conversation_id: str, allocation: Allocation) -> None:
        """A request's labels were issued (`Vault.labels_for`): extend the
        entry if the vault went straight from the entry's generation (or from
        nothing) to the new one; else drop it, to be read again next turn."""
        if allocation.before == allocation.after:
            return
        key = (scope, conversation_id)
        entry = self._entries.get(key)
        if not allocation.existed:
            base = KnownValues({})
        elif entry is not None and allocation.before is not None and entry.generation == allocation.before:
            base = entry.known
        else:  # something this process did not see happened in between
            self._drop(key)
            return
        self.put(scope, conversation_id, allocation.after, base.extended(allocation.issued))

    def _store(self, key: tuple[str, str], entry: _Entry) -> None:
        self._drop(key)
        if len(entry.known) > self._max_values:
            return
        self._entries[key] = entry
        self._values += len(entry.known)
        while len(self._entries) > self._max_conversations or self._values > self._max_values:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple[str, str]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._values -= len(entry.known)
