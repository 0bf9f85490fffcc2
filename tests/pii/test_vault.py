"""The vault: encrypted at rest, no raw values in keys, TTL, rotation, failing closed."""

from __future__ import annotations

import base64
import logging

import pytest
import redis.asyncio as aioredis

from guardrail.pii import PiiPolicy, PiiService, PiiUnavailable
from guardrail.pii.keyring import KeyRing
from guardrail.pii.vault import _legacy_aad
from tests.pii.chat import user

SECRET_NAME = "Sarah Connor"
SECRET_EMAIL = "sarah.connor@example.com"
TEXT = f"I'm {SECRET_NAME}, email {SECRET_EMAIL}"
OLD_KEY = b"old-vault-key-0123456789abcdef!!"
NEW_KEY = b"new-vault-key-0123456789abcdef!!"


async def _dump(redis_client: aioredis.Redis, prefix: str) -> bytes:
    blob = b""
    async for key in redis_client.scan_iter(match=f"{prefix}*"):
        blob += key + repr(await redis_client.hgetall(key)).encode()
    return blob


async def test_nothing_readable_in_redis_and_ttl_set(
    redis_client: aioredis.Redis, pii_prefix: str, analyzer, policy: PiiPolicy
):
    service = PiiService(
        redis_client, prefix=pii_prefix, vault_keys=[OLD_KEY], ttl_seconds=900, analyzer=analyzer
    )
    protected = await service.protect([user(TEXT)], scope="app", conversation_id="mail@me.com", policy=policy)
    await service.aclose()
    dump = await _dump(redis_client, pii_prefix)
    for needle in (SECRET_NAME, SECRET_EMAIL, "Sarah", "connor", "mail@me.com"):
        assert needle.encode() not in dump
    key = f"{pii_prefix}pii:v:{protected.conversation_id}"
    assert 0 < await redis_client.ttl(key) <= 900


async def test_key_rotation_keeps_conversations(redis_client, pii_prefix, analyzer, policy):
    before = PiiService(redis_client, prefix=pii_prefix, vault_keys=[OLD_KEY], analyzer=analyzer)
    first = await before.protect([user(TEXT)], scope="app", conversation_id=None, policy=policy)
    rotated = PiiService(redis_client, prefix=pii_prefix, vault_keys=[NEW_KEY, OLD_KEY], analyzer=analyzer)
    # Same conversation (no header): same id and placeholders after rotation.
    second = await rotated.protect(
        [user(TEXT), {"role": "assistant", "content": "ok"}, user("and bob@example.org")],
        scope="app",
        conversation_id=None,
        policy=policy,
    )
    assert second.conversation_id == first.conversation_id
    assert second.messages[0] == first.messages[0]
    assert "<EMAIL_ADDRESS_2>" in second.messages[2]["content"]
    restored = await rotated.restorer_for("app", first.conversation_id, second.labels)
    assert restored.restore("<PERSON_1> <EMAIL_ADDRESS_2>") == f"{SECRET_NAME} bob@example.org"
    # Once the old key is dropped, its entries can no longer be opened: fail closed.
    new_only = PiiService(redis_client, prefix=pii_prefix, vault_keys=[NEW_KEY], analyzer=analyzer)
    with pytest.raises(PiiUnavailable):
        await new_only.restorer_for("app", first.conversation_id, first.labels)
    for service in (before, rotated, new_only):
        await service.aclose()


async def test_tampered_entry_fails_closed(redis_client, pii_prefix, analyzer, policy):
    service = PiiService(redis_client, prefix=pii_prefix, vault_keys=[OLD_KEY], analyzer=analyzer)
    protected = await service.protect([user(TEXT)], scope="app", conversation_id=None, policy=policy)
    with pytest.raises(PiiUnavailable):  # ciphertexts are bound to their scope
        await service.restorer_for("other-app", protected.conversation_id, protected.labels)
    key = f"{pii_prefix}pii:v:{protected.conversation_id}"
    sealed = base64.b64decode(await redis_client.hget(key, "s:PERSON_1"))
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    await redis_client.hset(key, "s:PERSON_1", base64.b64encode(flipped))
    with pytest.raises(PiiUnavailable):
        await service.restorer_for("app", protected.conversation_id, protected.labels)
    await service.aclose()


async def test_redis_down_fails_closed_without_personal_data(analyzer, policy, caplog):
    dead = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    service = PiiService(dead, prefix="gtest:dead:", vault_keys=[OLD_KEY], analyzer=analyzer)
    caplog.set_level(logging.DEBUG, logger="guardrail.pii")
    with pytest.raises(PiiUnavailable) as error:
        await service.protect([user(TEXT)], scope="app", conversation_id=None, policy=policy)
    assert error.value.__cause__ is None and error.value.__suppress_context__
    for text in (str(error.value), caplog.text):
        assert SECRET_NAME not in text and SECRET_EMAIL not in text
    await service.aclose()
    await dead.aclose()


def test_short_keys_are_refused():
    with pytest.raises(ValueError):
        PiiService(None, prefix="x:", vault_keys=[b"short"])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        PiiService(None, prefix="x:", vault_keys=[])  # type: ignore[arg-type]


async def test_ciphertexts_swapped_between_labels_fail_closed(redis_client, pii_prefix, analyzer, policy):
    """Someone who can write to Redis swaps two values of one conversation:
    each is sealed for its own label, so neither opens under the other."""
    service = PiiService(redis_client, prefix=pii_prefix, vault_keys=[OLD_KEY], analyzer=analyzer)
    protected = await service.protect(
        [user("Alice Johnson wrote to bob@example.com and carol@example.com")],
        scope="app", conversation_id=None, policy=policy,
    )
    key = f"{pii_prefix}pii:v:{protected.conversation_id}"
    first, second = await redis_client.hmget(key, ["s:EMAIL_ADDRESS_1", "s:EMAIL_ADDRESS_2"])
    assert first and second
    await redis_client.hset(key, mapping={"s:EMAIL_ADDRESS_1": second, "s:EMAIL_ADDRESS_2": first})
    with pytest.raises(PiiUnavailable):
        await service.restorer_for("app", protected.conversation_id, protected.labels)
    await service.aclose()


async def test_entries_sealed_before_labels_were_bound_still_open(redis_client, pii_prefix, analyzer, policy):
    """A conversation stored by an earlier version (r:<label>, sealed for the
    conversation only) keeps restoring until it expires."""
    service = PiiService(redis_client, prefix=pii_prefix, vault_keys=[OLD_KEY], analyzer=analyzer)
    cid = "d-legacy-conversation"
    sealed = KeyRing([OLD_KEY]).encrypt(b"Alice Johnson", _legacy_aad("app", cid))
    await redis_client.hset(
        f"{pii_prefix}pii:v:{cid}", mapping={"r:PERSON_1": base64.b64encode(sealed), "n:PERSON": 1}
    )
    restorer = await service.restorer_for("app", cid, ["PERSON_1"])
    assert restorer.restore("Hi <PERSON_1>") == "Hi Alice Johnson"
    await service.aclose()
