"""Known values kept between turns: reused while the vault's generation holds,
read again when another request or replica added values or the conversation
expired; bounded; nothing readable in Redis."""

from __future__ import annotations

import json

import pytest
import redis.asyncio as aioredis

from guardrail.pii import Analyzer, PiiPolicy, PiiService
from guardrail.pii.keyring import KeyRing
from guardrail.pii.known_values import KnownValues
from guardrail.pii.known_values_cache import KnownValuesCache
from guardrail.pii.vault import Allocation, Vault, VaultEntry
from tests.pii.chat import assistant, user
from tests.pii.conftest import VAULT_KEY

# Values no detector finds on their own: only the known-values search masks
# them, so what reaches the provider shows which values the service knew.
FIRST = "kx7q-ab3"
SECOND = "zt9w-pp4"


def _other_replica(redis_client: aioredis.Redis, prefix: str) -> Vault:
    return Vault(redis_client, prefix=prefix, keys=KeyRing([VAULT_KEY]), ttl_seconds=600)


def _turn(*values: str) -> list[dict[str, str]]:
    said = " and ".join(values)
    return [user("Hello there"), assistant(f"Noted: {said}."), user(json.dumps({"names": said}))]


def _upstream(protected) -> str:
    return json.dumps(protected.messages)


@pytest.fixture
def known_cache() -> KnownValuesCache:
    return KnownValuesCache()


@pytest.fixture
async def service(
    redis_client: aioredis.Redis, pii_prefix: str, analyzer: Analyzer, known_cache: KnownValuesCache
):
    service = PiiService(
        redis_client, prefix=pii_prefix, vault_keys=[VAULT_KEY], analyzer=analyzer, known_values=known_cache
    )
    yield service
    await service.aclose()


async def _conversation(service: PiiService, policy: PiiPolicy) -> str:
    first = await service.protect([user("Hello there")], scope="app", conversation_id="c", policy=policy)
    return first.conversation_id


async def _add(vault: Vault, cid: str, value: str) -> Allocation:
    return await vault.labels_for("app", cid, [VaultEntry("PERSON", value, value)])


async def test_values_are_read_once_while_the_conversation_gains_none(
    service, known_cache, redis_client, pii_prefix, policy, monkeypatch
):
    cid = await _conversation(service, policy)
    await _add(_other_replica(redis_client, pii_prefix), cid, FIRST)
    reads = []
    load_all = service._vault.load_all

    async def counted(*args):
        reads.append(1)
        return await load_all(*args)

    monkeypatch.setattr(service._vault, "load_all", counted)
    for _ in range(3):
        protected = await service.protect(_turn(FIRST), scope="app", conversation_id="c", policy=policy)
        assert FIRST not in _upstream(protected)
        assert "<PERSON_1>" in protected.messages[2]["content"]
    assert len(reads) == 1
    assert len(known_cache) == 1 and known_cache.values == 1


async def test_values_another_replica_adds_are_masked_next_turn(
    service, redis_client, pii_prefix, policy
):
    cid = await _conversation(service, policy)
    other = _other_replica(redis_client, pii_prefix)
    await _add(other, cid, FIRST)
    assert FIRST not in _upstream(
        await service.protect(_turn(FIRST), scope="app", conversation_id="c", policy=policy)
    )
    await _add(other, cid, SECOND)  # behind this process's back
    protected = await service.protect(_turn(FIRST, SECOND), scope="app", conversation_id="c", policy=policy)
    upstream = _upstream(protected)
    assert FIRST not in upstream and SECOND not in upstream
    restored = protected.restore(protected.messages[2]["content"])
    assert restored == json.dumps({"names": f"{FIRST} and {SECOND}"})


async def test_an_expired_conversation_begun_again_forgets_its_old_values(
    service, redis_client, pii_prefix, policy
):
    cid = await _conversation(service, policy)
    other = _other_replica(redis_client, pii_prefix)
    await _add(other, cid, FIRST)
    assert FIRST not in _upstream(
        await service.protect(_turn(FIRST), scope="app", conversation_id="c", policy=policy)
    )
    await redis_client.delete(other.key(cid))  # the TTL ran out
    await _add(other, cid, SECOND)  # the same id begins again: SECOND is now PERSON_1
    protected = await service.protect(_turn(FIRST, SECOND), scope="app", conversation_id="c", policy=policy)
    upstream = _upstream(protected)
    assert FIRST in upstream  # no longer this conversation's value
    assert SECOND not in upstream
    assert protected.restore("<PERSON_1>") == SECOND


async def test_what_a_request_issues_extends_the_cache_like_a_fresh_read(
    service, known_cache, redis_client, pii_prefix, analyzer, policy
):
    turns = [
        user("Hi, I'm Sarah Connor, email sarah.connor@example.com"),
        assistant("Thanks Sarah Connor."),
        user("My colleague John Smith, john@example.org, lives at 12 Oak Street, Springfield, IL 62704"),
        assistant("Noted."),
        user("And call me on (212) 555-0199"),
    ]
    for end in range(1, len(turns) + 1):
        await service.protect(turns[:end], scope="app", conversation_id="c2", policy=policy)
    cid = (await service.protect(turns, scope="app", conversation_id="c2", policy=policy)).conversation_id
    vault = _other_replica(redis_client, pii_prefix)
    values, generation = await vault.load_all("app", cid)
    assert generation is not None and len(values) >= 5
    kept = known_cache.get("app", cid, generation)
    assert kept is not None and len(kept) == len(values)
    # The values the cache extended turn by turn find what a cold read finds.
    probe = " / ".join(values.values()).upper()
    assert kept.add_to(probe, []) == KnownValues(values).add_to(probe, [])
    cold = PiiService(redis_client, prefix=pii_prefix, vault_keys=[VAULT_KEY], analyzer=analyzer)
    again = [*turns, assistant(probe)]
    warm_out = await service.protect(again, scope="app", conversation_id="c2", policy=policy)
    cold_out = await cold.protect(again, scope="app", conversation_id="c2", policy=policy)
    assert warm_out.messages == cold_out.messages
    await cold.aclose()


async def test_generation_is_random_and_changes_only_when_labels_are_issued(
    service, redis_client, pii_prefix, policy
):
    cid = await _conversation(service, policy)
    vault = _other_replica(redis_client, pii_prefix)
    assert await vault.generation(cid) is None  # nothing issued yet
    added = await _add(vault, cid, FIRST)
    assert (added.existed, added.before, added.issued) == (False, None, {"PERSON_1": FIRST})
    generation = await vault.generation(cid)
    assert generation == added.after and FIRST not in generation
    again = await _add(vault, cid, FIRST)  # the same value: no new label
    assert again.issued == {} and again.before == again.after == generation
    assert await vault.generation(cid) == generation
    third = await _add(vault, cid, SECOND)
    assert third.before == generation and third.after not in (None, generation)
    keys = [key async for key in redis_client.scan_iter(match=f"{pii_prefix}*")]
    dump = b" ".join(keys)
    for key in keys:
        for name, value in (await redis_client.hgetall(key)).items():
            dump += b" " + name + b"=" + value
    assert FIRST.encode() not in dump and SECOND.encode() not in dump


def _allocation(before: str | None, after: str, value: str, *, existed: bool = True) -> Allocation:
    issued = {f"PERSON_{len(value)}": value}
    return Allocation(["PERSON_1"], issued, existed=existed, before=before, after=after)


def test_entries_are_bounded_by_conversations_values_and_age() -> None:
    by_count = KnownValuesCache(max_conversations=2)
    for n in range(3):
        by_count.put("app", f"c{n}", "g", KnownValues({"PERSON_1": FIRST}))
    assert len(by_count) == 2 and by_count.get("app", "c0", "g") is None
    assert by_count.get("app", "c2", "g") is not None

    by_values = KnownValuesCache(max_values=3)
    by_values.put("app", "a", "g", KnownValues({"PERSON_1": FIRST, "PERSON_2": SECOND}))
    by_values.put("app", "b", "g", KnownValues({"PERSON_1": FIRST, "PERSON_2": SECOND}))
    assert len(by_values) == 1 and by_values.values == 2
    by_values.put("app", "huge", "g", KnownValues({f"PERSON_{n}": f"name{n}" for n in range(4)}))
    assert by_values.get("app", "huge", "g") is None  # larger than the whole cache: never kept

    by_age = KnownValuesCache(max_age_seconds=0.0)
    by_age.put("app", "a", "g", KnownValues({"PERSON_1": FIRST}))
    assert by_age.get("app", "a", "g") is None and by_age.values == 0


def test_only_a_state_the_vault_vouches_for_is_kept() -> None:
    cache = KnownValuesCache()
    cache.put("app", "legacy", None, KnownValues({"PERSON_1": FIRST}))  # no generation
    assert len(cache) == 0
    cache.put("app", "c", "g1", KnownValues({"PERSON_1": FIRST}))
    assert cache.get("app", "c", "g2") is None and len(cache) == 0  # stale: dropped
    cache.put("app", "c", "g1", KnownValues({"PERSON_1": FIRST}))
    cache.advance("app", "c", _allocation("g0", "g9", SECOND))  # a change it did not see
    assert len(cache) == 0
    cache.put("app", "c", "g1", KnownValues({"PERSON_1": FIRST}))
    cache.advance("app", "c", _allocation("g1", "g2", SECOND))
    kept = cache.get("app", "c", "g2")
    assert kept is not None and len(kept) == 2
    cache.advance("app", "new", _allocation(None, "g1", SECOND, existed=False))
    assert len(cache.get("app", "new", "g1") or ()) == 1
    assert FIRST not in repr(kept) and SECOND not in repr(kept)
