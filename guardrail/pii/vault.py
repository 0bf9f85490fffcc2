"""The placeholder mapping of each conversation, encrypted in Redis.

One hash per conversation, `{prefix}pii:v:{conversation_id}`, so a conversation
is one key (one slot in Redis Cluster) with one TTL:

    f:<fingerprint>  -> label        keyed HMAC of (entity, normalised value)
    s:<label>        -> ciphertext   AES-GCM, bound to scope, conversation and label
    n:<ENTITY>       -> last number issued for that entity type
    g                -> generation: a random token, replaced whenever labels are issued

Numbers are allocated by a Lua script, so concurrent requests on any replica
agree: the same value always gets the same label, two values never share one.
Neither values nor anything derived from them without a key appear in keys.
The generation lets a process keep what it read of a conversation
(`known_values_cache.py`) and know, with one field read, whether it is
still all there is: it changes when values are added, and a conversation
that expired and began again starts with a new one.

A value is sealed for its label, so ciphertexts swapped between labels (by
someone who can write to Redis) fail to open instead of restoring one
person's value for another's placeholder. The label is only issued by the
script, so the client predicts it (one read of the counters first) and the
script refuses the whole batch if another request took a number meanwhile;
the client then reads again and retries. Entries written before labels were
bound (`r:<label>`, sealed for the conversation only) are still read until
they expire with their conversation.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Collection
from dataclasses import dataclass

import redis.asyncio as aioredis

from guardrail.pii.keyring import KeyRing

# ARGV: ttl, generation, count, then per value: n_fingerprints,
# fingerprint..., entity, predicted label, ciphertext. The first fingerprint
# is under the current key; older ones find entries written before a key
# rotation. Returns {'retry'} or {'ok', generation before ('' if none),
# whether the conversation existed (0/1), generation after, label...}.
_ALLOCATE = """
local ttl = tonumber(ARGV[1])
local generation = ARGV[2]
local count = tonumber(ARGV[3])
local existed = redis.call('EXISTS', KEYS[1])
local before = redis.call('HGET', KEYS[1], 'g') or ''
local i = 4
local labels = {}
local writes = {}
local issued = {}
for v = 1, count do
  local nfp = tonumber(ARGV[i])
  local current = ARGV[i + 1]
  local label = false
  for f = 1, nfp do
    label = redis.call('HGET', KEYS[1], 'f:' .. ARGV[i + f])
    if label then break end
  end
  i = i + nfp + 1
  local entity = ARGV[i]
  local predicted = ARGV[i + 1]
  local sealed = ARGV[i + 2]
  i = i + 3
  if not label then
    if issued[entity] == nil then
      issued[entity] = tonumber(redis.call('HGET', KEYS[1], 'n:' .. entity) or '0')
    end
    issued[entity] = issued[entity] + 1
    label = entity .. '_' .. issued[entity]
    if label ~= predicted then
      return {'retry'}
    end
    writes[#writes + 1] = {'s:' .. label, sealed}
  end
  writes[#writes + 1] = {'f:' .. current, label}
  labels[v] = label
end
for entity, number in pairs(issued) do
  redis.call('HSET', KEYS[1], 'n:' .. entity, number)
end
for _, write in ipairs(writes) do
  redis.call('HSET', KEYS[1], write[1], write[2])
end
local after = before
if next(issued) ~= nil then
  redis.call('HSET', KEYS[1], 'g', generation)
  after = generation
end
redis.call('EXPIRE', KEYS[1], ttl)
local reply = {'ok', before, existed, after}
for v = 1, count do
  reply[#reply + 1] = labels[v]
end
return reply
"""


# Tries to issue labels when concurrent requests of one conversation race.
_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class VaultEntry:
    entity: str
    value: str  # as it appeared; restored verbatim
    normalised: str  # what "the same value" means for this entity type


@dataclass(frozen=True, slots=True)
class Allocation:
    """What `Vault.labels_for` did: each entry's label, and how the
    conversation changed (for `KnownValuesCache.advance`)."""

    labels: list[str]
    issued: dict[str, str]  # labels issued by this call -> their values
    existed: bool  # the conversation had values before this call
    before: str | None  # its generation before, None if it had none
    after: str | None


class Vault:
    def __init__(
        self, redis: aioredis.Redis, *, prefix: str, keys: KeyRing, ttl_seconds: int
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._keys = keys
        self._ttl = ttl_seconds
        self._allocate = redis.register_script(_ALLOCATE)

    def key(self, conversation_id: str) -> str:
        return f"{self._prefix}pii:v:{conversation_id}"

    async def labels_for(
        self, scope: str, conversation_id: str, entries: list[VaultEntry]
    ) -> Allocation:
        """The conversation's label for each entry, issuing new ones as needed."""
        if not entries:
            await self.touch(conversation_id)
            return Allocation([], {}, existed=True, before=None, after=None)
        key = self.key(conversation_id)
        prints = [self._keys.fingerprints(scope, e.entity, e.normalised) for e in entries]
        for _attempt in range(_ATTEMPTS):
            predicted = await self._predict(key, entries, prints)
            # Random, so it says nothing about the values and never repeats
            # after the conversation expired.
            generation = os.urandom(12).hex()
            args: list[str | bytes | int] = [self._ttl, generation, len(entries)]
            for entry, fingerprints, label in zip(entries, prints, predicted, strict=True):
                args.extend([len(fingerprints), *fingerprints, entry.entity, label or ""])
                sealed = (
                    self._keys.encrypt(entry.value.encode(), _aad(scope, conversation_id, label))
                    if label
                    else b""
                )
                # base64 so the hash reads the same through clients that decode replies.
                args.append(base64.b64encode(sealed))
            answer = await self._allocate(keys=[key], args=args)
            reply = [_text(x) if isinstance(x, bytes | str) else x for x in answer]
            if reply == ["retry"]:
                continue
            _, before, existed, after, *labels = reply
            issued = {
                label: entry.value
                for label, entry, guess in zip(labels, entries, predicted, strict=True)
                if guess is not None
            }
            return Allocation(
                labels, issued, existed=bool(existed), before=before or None, after=after or None
            )
        raise VaultBusy("labels kept changing while being issued")

    async def _predict(
        self, key: str, entries: list[VaultEntry], prints: list[list[str]]
    ) -> list[str | None]:
        """The label each entry will get: its own if issued, else the next
        number of its entity (None for entries already labelled)."""
        entities = sorted({e.entity for e in entries})
        fields = [f"f:{fp}" for fps in prints for fp in fps] + [f"n:{e}" for e in entities]
        found = await self._redis.hmget(key, fields)
        known = dict(zip(fields, found, strict=True))
        counters = {e: int(known[f"n:{e}"] or 0) for e in entities}
        out: list[str | None] = []
        for entry, fingerprints in zip(entries, prints, strict=True):
            if any(known[f"f:{fp}"] for fp in fingerprints):
                out.append(None)
                continue
            counters[entry.entity] += 1  # entries are distinct values (the plan dedupes)
            out.append(f"{entry.entity}_{counters[entry.entity]}")
        return out

    async def load(
        self, scope: str, conversation_id: str, labels: Collection[str]
    ) -> dict[str, str]:
        """The value of each of `labels` the conversation issued; refreshes the TTL.

        Only the labels asked for are read and decrypted: a caller restoring
        one request's answer never holds the rest of the conversation's values.
        """
        wanted = sorted(set(labels))
        if not wanted:
            await self.touch(conversation_id)
            return {}
        key = self.key(conversation_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            # Each label's value under the label-bound field, or the older one.
            pipe.hmget(key, [field for label in wanted for field in (f"s:{label}", f"r:{label}")])
            pipe.expire(key, self._ttl)
            sealed_values, _ = await pipe.execute()
        values = {}
        for label, bound, legacy in zip(wanted, sealed_values[0::2], sealed_values[1::2], strict=True):
            if bound is not None:
                values[label] = self._keys.decrypt(
                    base64.b64decode(bound), _aad(scope, conversation_id, label)
                ).decode()
            elif legacy is not None:  # sealed before labels were bound
                values[label] = self._keys.decrypt(
                    base64.b64decode(legacy), _legacy_aad(scope, conversation_id)
                ).decode()
            # neither: expired, or never issued in this conversation
        return values

    async def load_all(self, scope: str, conversation_id: str) -> tuple[dict[str, str], str | None]:
        """Every label the conversation issued -> its value, and the
        generation they are (None: the conversation has no values, or
        predates generations). Refreshes the TTL.

        For masking only (a value restored into an earlier answer leaves as
        its placeholder again); never for restoring an answer, which must
        resolve its own request's labels alone (`load`).
        """
        key = self.key(conversation_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.expire(key, self._ttl)
            raw, _ = await pipe.execute()
        fields = {_text(name): value for name, value in raw.items()}
        values: dict[str, str] = {}
        for name, sealed in fields.items():
            label = name[2:]
            if name.startswith("s:"):
                values[label] = self._keys.decrypt(
                    base64.b64decode(sealed), _aad(scope, conversation_id, label)
                ).decode()
            elif name.startswith("r:") and f"s:{label}" not in fields:  # sealed before labels were bound
                values[label] = self._keys.decrypt(
                    base64.b64decode(sealed), _legacy_aad(scope, conversation_id)
                ).decode()
        generation = fields.get("g")
        return values, _text(generation) if generation is not None else None

    async def generation(self, conversation_id: str) -> str | None:
        """The conversation's generation (see the module docstring), if any."""
        found = await self._redis.hget(self.key(conversation_id), "g")
        return _text(found) if found is not None else None

    async def exists(self, conversation_id: str) -> bool:
        return bool(await self._redis.exists(self.key(conversation_id)))

    async def touch(self, conversation_id: str) -> None:
        await self._redis.expire(self.key(conversation_id), self._ttl)


def _aad(scope: str, conversation_id: str, label: str) -> bytes:
    # Binds each ciphertext to its conversation and label: moving it to
    # another conversation or another label fails.
    return f"guardrail/pii/v2\0{scope}\0{conversation_id}\0{label}".encode()


def _legacy_aad(scope: str, conversation_id: str) -> bytes:
    return f"guardrail/pii\0{scope}\0{conversation_id}".encode()


class VaultBusy(Exception):
    """Labels could not be issued (other requests kept taking the numbers)."""


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
