"""The placeholder mapping of each conversation, encrypted in Redis.

One hash per conversation, `{prefix}pii:v:{conversation_id}`, so a conversation
is one key (one slot in Redis Cluster) with one TTL:

    f:<fingerprint>  -> label        keyed HMAC of (entity, normalised value)
    r:<label>        -> ciphertext   AES-GCM, bound to scope and conversation
    n:<ENTITY>       -> last number issued for that entity type

Numbers are allocated by a Lua script, so concurrent requests on any replica
agree: the same value always gets the same label, two values never share one.
Neither values nor anything derived from them without a key appear in keys.
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from dataclasses import dataclass

import redis.asyncio as aioredis

from guardrail.pii.keyring import KeyRing

# ARGV: ttl, count, then per value: n_fingerprints, fingerprint..., entity, ciphertext.
# The first fingerprint is under the current key; older ones find entries
# written before a key rotation.
_ALLOCATE = """
local ttl = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local i = 3
local labels = {}
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
  local sealed = ARGV[i + 1]
  i = i + 2
  if not label then
    local number = redis.call('HINCRBY', KEYS[1], 'n:' .. entity, 1)
    label = entity .. '_' .. number
    redis.call('HSET', KEYS[1], 'r:' .. label, sealed)
  end
  redis.call('HSET', KEYS[1], 'f:' .. current, label)
  labels[v] = label
end
redis.call('EXPIRE', KEYS[1], ttl)
return labels
"""


@dataclass(frozen=True, slots=True)
class VaultEntry:
    entity: str
    value: str  # as it appeared; restored verbatim
    normalised: str  # what "the same value" means for this entity type


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
    ) -> list[str]:
        """The conversation's label for each entry, issuing new ones as needed."""
        if not entries:
            await self.touch(conversation_id)
            return []
        aad = _aad(scope, conversation_id)
        args: list[str | bytes | int] = [self._ttl, len(entries)]
        for entry in entries:
            fingerprints = self._keys.fingerprints(scope, entry.entity, entry.normalised)
            args.extend([len(fingerprints), *fingerprints, entry.entity])
            # base64 so the hash reads the same through clients that decode replies.
            args.append(base64.b64encode(self._keys.encrypt(entry.value.encode(), aad)))
        labels = await self._allocate(keys=[self.key(conversation_id)], args=args)
        return [_text(label) for label in labels]

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
            pipe.hmget(key, [f"r:{label}" for label in wanted])
            pipe.expire(key, self._ttl)
            sealed_values, _ = await pipe.execute()
        aad = _aad(scope, conversation_id)
        values = {}
        for label, sealed in zip(wanted, sealed_values, strict=True):
            if sealed is not None:  # expired, or never issued here
                values[label] = self._keys.decrypt(base64.b64decode(sealed), aad).decode()
        return values

    async def load_all(self, scope: str, conversation_id: str) -> dict[str, str]:
        """Every label the conversation issued -> its value.

        For masking only (a value restored into an earlier answer leaves as
        its placeholder again); never for restoring an answer, which must
        resolve its own request's labels alone (`load`).
        """
        fields = await self._redis.hgetall(self.key(conversation_id))
        labels = [_text(name)[2:] for name in fields if _text(name).startswith("r:")]
        return await self.load(scope, conversation_id, labels)

    async def exists(self, conversation_id: str) -> bool:
        return bool(await self._redis.exists(self.key(conversation_id)))

    async def touch(self, conversation_id: str) -> None:
        await self._redis.expire(self.key(conversation_id), self._ttl)


def _aad(scope: str, conversation_id: str) -> bytes:
    # Binds each ciphertext to its conversation: copying it elsewhere fails.
    return f"guardrail/pii\0{scope}\0{conversation_id}".encode()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
