"""PiiService: de-identify a request, restore its answer, spot foreign data.

Built once in the app factory (the analyzer loads a spaCy model) and shared by
every request. Analysis runs in worker threads, never on the event loop; any
failure of the analyzer or the vault raises `PiiUnavailable`, so the proxy
fails closed instead of sending text it could not check.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from guardrail.pii.analyzer import Analyzer
from guardrail.pii.batching import AnalysisBatcher
from guardrail.pii.conversation import ProtectedConversation
from guardrail.pii.detection import Detection, select
from guardrail.pii.errors import PiiUnavailable
from guardrail.pii.foreign import may_be_foreign
from guardrail.pii.keyring import KeyRing, VaultKeyError
from guardrail.pii.known_values import KnownValues
from guardrail.pii.known_values_cache import KnownValuesCache
from guardrail.pii.limits import Pieces, TextLimits
from guardrail.pii.messages import opening_digest, text_slots
from guardrail.pii.normalise import normalise
from guardrail.pii.placeholders import neutralise, placeholder, redacted
from guardrail.pii.policy import PiiAction, PiiPolicy
from guardrail.pii.request_fields import field_slots, name_slots
from guardrail.pii.routing import analyze_routed, cached_routed, route_all
from guardrail.pii.vault import Vault, VaultEntry
from guardrail.types import Span

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 7 * 24 * 3600


class PiiService:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str,
        vault_keys: list[bytes],
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        workers: int = 1,
        analyzer: Analyzer | None = None,
        limits: TextLimits | None = None,
        known_values: KnownValuesCache | None = None,
    ) -> None:
        self._limits = limits or TextLimits()
        self._known = known_values if known_values is not None else KnownValuesCache()
        self._keys = KeyRing(vault_keys)
        self._vault = Vault(redis, prefix=prefix, keys=self._keys, ttl_seconds=ttl_seconds)
        self._analyzer = analyzer or Analyzer(cache_ttl_seconds=ttl_seconds)
        self._redis = redis
        self._executor = ThreadPoolExecutor(
            max_workers=max(1, workers), thread_name_prefix="pii-analyzer"
        )
        # Requests that wait for the analysis thread are analysed together
        # (batching.py): the NER model costs less per text in a batch.
        self._batcher = AnalysisBatcher(
            functools.partial(analyze_routed, self._analyzer), self._executor, workers=workers
        )

    async def protect(
        self,
        messages: list[dict[str, Any]],
        *,
        scope: str,
        conversation_id: str | None,
        policy: PiiPolicy,
        user: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> ProtectedConversation:
        """A de-identified deep copy of `messages`; the input is never mutated.

        `user` is the request's `user` field: without a conversation id it
        helps tell apart customers whose conversations open alike. `fields`
        are the request's other fields the provider reads (user, metadata,
        tools: `request_fields.FIELDS`), returned de-identified in `.fields`.
        """
        try:
            copied = copy.deepcopy(messages)
            extra = copy.deepcopy(fields or {})
            cid = await self._conversation_id(scope, conversation_id, messages, user)
            if not policy.enabled:
                return ProtectedConversation(
                    messages=copied, conversation_id=cid, scope=scope, values={}, fields=extra
                )
            slots = text_slots(copied) + name_slots(copied) + field_slots(extra)
            texts = [neutralise(slot.text) for slot in slots]
            found = await self._detect(texts, policy)
            known = await self._known_values(scope, cid, messages)
            if known:
                found = [known.add_to(text, d) for text, d in zip(texts, found, strict=True)]
            plan = _Plan(policy)
            for text, detections in zip(texts, found, strict=True):
                plan.add(text, detections)
            allocation = await self._vault.labels_for(scope, cid, plan.entries)
            self._known.advance(scope, cid, allocation)
            labels = allocation.labels
            for slot, text, detections in zip(slots, texts, found, strict=True):
                rewritten = plan.rewrite(text, detections, labels)
                if rewritten != slot.text:
                    slot.write(rewritten)
            return ProtectedConversation(
                messages=copied,
                conversation_id=cid,
                scope=scope,
                values=plan.values(labels),
                blocked_entities=tuple(sorted(plan.blocked)),
                fields=extra,
            )
        except PiiUnavailable:
            raise
        except Exception as exc:  # fail closed on anything, say nothing about the text
            raise _unavailable("de-identification", exc) from None

    async def _known_values(
        self, scope: str, conversation_id: str, messages: list[dict[str, Any]]
    ) -> KnownValues | None:
        """Only a conversation with history can carry restored values back."""
        if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
            return None
        generation = await self._vault.generation(conversation_id)
        cached = self._known.get(scope, conversation_id, generation)
        if cached is not None:
            return cached
        values, generation = await self._vault.load_all(scope, conversation_id)
        known = KnownValues(values)
        self._known.put(scope, conversation_id, generation, known)
        return known

    async def restorer_for(
        self, scope: str, conversation_id: str, labels: Collection[str]
    ) -> ProtectedConversation:
        """Rebuild the restorer of one request from the vault (any replica, later).

        Only `labels`, the placeholders that request was issued, resolve: a
        conversation id may be shared by several customers (an app that sends
        none, a shared opening), so the conversation's other values must never
        be put into this request's answer.
        """
        try:
            values = await self._vault.load(scope, conversation_id, labels)
        except Exception as exc:
            raise _unavailable("vault read", exc) from None
        return ProtectedConversation(
            messages=[], conversation_id=conversation_id, scope=scope, values=values
        )

    async def find_foreign_pii(
        self, text: str, protected: ProtectedConversation, policy: PiiPolicy
    ) -> list[tuple[str, Span]]:
        """Personal data in a re-identified answer that this conversation did not give."""
        if not policy.enabled or not text.strip():
            return []
        try:
            (detections,) = await self._detect([text], policy)
        except PiiUnavailable:
            raise
        except Exception as exc:
            raise _unavailable("answer analysis", exc) from None
        return [
            (d.entity, Span(d.start, d.end))
            for d in detections
            if may_be_foreign(d.entity, text[d.start : d.end])
            and not protected.is_own_value(text[d.start : d.end], d.entity)
        ]

    async def aclose(self) -> None:
        self._batcher.cancel_pending()
        await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)

    async def _detect(self, texts: list[str], policy: PiiPolicy) -> list[list[Detection]]:
        # Every detector sees bounded pieces only (limits.py): one text can
        # neither be too long nor make a super-linear detector stall us.
        self._limits.check(texts)
        pieces = Pieces(texts, self._limits)
        # Each piece runs the recognizers of its own language(s): mixed
        # Chinese/English messages are common (routing.py).
        routes = route_all(pieces.texts, policy.languages, self._analyzer.languages)
        raw = cached_routed(self._analyzer, pieces.texts, routes)
        if raw is None:
            # Past the deadline the caller fails closed (TimeoutError ->
            # PiiUnavailable); the worker finishes the batch it is on.
            raw = await asyncio.wait_for(
                self._batcher.analyze(pieces.texts, routes), self._limits.deadline_seconds
            )
        merged = pieces.merge(raw)
        return [select(text, detections, policy) for text, detections in zip(texts, merged, strict=True)]

    async def _conversation_id(
        self, scope: str, header: str | None, messages: list[dict[str, Any]], user: str | None
    ) -> str:
        if header:
            candidates = ["h" + fp for fp in self._keys.fingerprints(scope, "header", header)]
        else:
            opening = opening_digest(messages, user).hex()
            candidates = ["d" + fp for fp in self._keys.fingerprints(scope, "opening", opening)]
        # After a key rotation, a live conversation keeps the id (and with it
        # the placeholders) it was given under the older key.
        for candidate in candidates[1:]:
            if not await self._vault.exists(candidates[0]) and await self._vault.exists(candidate):
                return candidate
        return candidates[0]


class _Plan:
    """What replaces each detection of one request, decided before writing."""

    def __init__(self, policy: PiiPolicy) -> None:
        self._policy = policy
        self._index: dict[tuple[str, str], int] = {}
        self.entries: list[VaultEntry] = []
        self.blocked: set[str] = set()

    def _action(self, entity: str) -> PiiAction:
        rule = self._policy.rule(entity)
        return rule.action if rule else PiiAction.REDACT

    def add(self, text: str, detections: list[Detection]) -> None:
        for d in detections:
            action = self._action(d.entity)
            if action is PiiAction.BLOCK:
                self.blocked.add(d.entity)
            if action is not PiiAction.PSEUDONYMIZE:
                continue
            value = text[d.start : d.end]
            key = (d.entity, normalise(d.entity, value))
            if key not in self._index:
                self._index[key] = len(self.entries)
                self.entries.append(VaultEntry(d.entity, value, key[1]))

    def rewrite(self, text: str, detections: list[Detection], labels: list[str]) -> str:
        if not detections:
            return text
        out: list[str] = []
        cursor = 0
        for d in detections:  # sorted, non-overlapping (detection.select)
            out.append(text[cursor : d.start])
            if self._action(d.entity) is PiiAction.PSEUDONYMIZE:
                index = self._index[(d.entity, normalise(d.entity, text[d.start : d.end]))]
                out.append(placeholder(labels[index]))
            else:
                # Blocked values are redacted too: if a caller ever forwards a
                # blocked request anyway, the value still does not leave.
                out.append(redacted(d.entity))
            cursor = d.end
        out.append(text[cursor:])
        return "".join(out)

    def values(self, labels: list[str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for entry, label in zip(self.entries, labels, strict=True):
            values.setdefault(label, entry.value)
        return values


def _unavailable(stage: str, exc: BaseException) -> PiiUnavailable:
    # The type name only: messages of library errors may quote their input.
    kind = type(exc).__name__
    if isinstance(exc, RedisError | VaultKeyError):
        logger.error("pii %s failed: vault error %s", stage, kind)
    else:
        logger.error("pii %s failed: %s", stage, kind)
    return PiiUnavailable(f"personal-data protection unavailable ({stage} failed: {kind})")
