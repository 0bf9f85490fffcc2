"""The audit chain: built in Lua, verified in Python, tampering detected."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os

import pytest
import redis.asyncio as aioredis

from guardrail.audit import AuditLog, verify_export
from guardrail.audit.lua import SHA256_SCRIPT


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 4097])
async def test_lua_sha256_matches_hashlib(redis_client: aioredis.Redis, size: int) -> None:
    data = os.urandom(size)
    digest = await redis_client.register_script(SHA256_SCRIPT)(args=[data])
    assert digest.decode() == hashlib.sha256(data).hexdigest()


async def test_record_and_verify(audit: AuditLog) -> None:
    first = await audit.record("request.allowed", app="shop", rules=[], policy_version="pv1")
    second = await audit.record("hold.parked", app="shop", hold_id="hold_1", risk="high")
    entries = [e async for e in audit.entries()]
    assert [e.hash for e in entries] == [first, second]
    assert entries[0].prev == "" and entries[1].prev == first
    assert entries[1].fields == {"event": "hold.parked", "app": "shop", "hold_id": "hold_1", "risk": "high"}
    result = await audit.verify()
    assert result.ok and result.entries == 2


async def test_empty_log_verifies(audit: AuditLog) -> None:
    assert (await audit.verify()).ok


async def test_concurrent_writers_on_separate_connections_chain_correctly(
    redis_url: str, prefix: str, audit: AuditLog
) -> None:
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(4)]
    try:
        logs = [AuditLog(c, prefix=prefix) for c in clients]
        await asyncio.gather(
            *(log.record("request.allowed", app="shop", n=i) for log in logs for i in range(50))
        )
    finally:
        for client in clients:
            await client.aclose()
    result = await audit.verify()
    assert result.ok and result.entries == 200


async def _rewrite(redis_client: aioredis.Redis, audit: AuditLog, index: int, body: str) -> str:
    """Replace one entry's body in place (same stream ids), as an attacker with
    Redis access could."""
    rows = await redis_client.xrange(audit.keys.stream)
    await redis_client.delete(audit.keys.stream)
    for position, (stream_id, data) in enumerate(rows):
        if position == index:
            data = {**data, b"body": body.encode()}
        await redis_client.xadd(audit.keys.stream, data, id=stream_id)
    return rows[index][0].decode()


async def test_edited_entry_is_detected(redis_client: aioredis.Redis, audit: AuditLog) -> None:
    for n in range(5):
        await audit.record("hold.decided", hold_id=f"hold_{n}", reviewer="alice")
    bad_id = await _rewrite(
        redis_client, audit, 2, '{"event":"hold.decided","hold_id":"hold_2","reviewer":"mallory"}'
    )
    result = await audit.verify()
    assert not result.ok and result.first_bad == bad_id and result.entries == 2
    assert "hash" in (result.reason or "")


async def test_deleted_entry_is_detected(redis_client: aioredis.Redis, audit: AuditLog) -> None:
    for n in range(5):
        await audit.record("hold.decided", hold_id=f"hold_{n}")
    rows = await redis_client.xrange(audit.keys.stream)
    await redis_client.xdel(audit.keys.stream, rows[1][0])
    result = await audit.verify()
    assert not result.ok and result.first_bad == rows[2][0].decode()


async def test_truncated_tail_is_detected(redis_client: aioredis.Redis, audit: AuditLog) -> None:
    for n in range(3):
        await audit.record("hold.decided", hold_id=f"hold_{n}")
    rows = await redis_client.xrange(audit.keys.stream)
    await redis_client.xdel(audit.keys.stream, rows[-1][0])
    result = await audit.verify()
    assert not result.ok and "removed from the end" in (result.reason or "")


async def test_export_is_jsonl_and_verifiable_offline(audit: AuditLog) -> None:
    for n in range(3):
        await audit.record("hold.decided", hold_id=f"hold_{n}")
    out = io.StringIO()
    assert await audit.export(out) == 3
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3]
    assert verify_export(lines).ok
    tampered = json.loads(lines[1])
    tampered["body"] = tampered["body"].replace("hold_1", "hold_9")
    lines[1] = json.dumps(tampered)
    result = verify_export(lines)
    assert not result.ok and result.first_bad == "line 2"


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "hello"},
        {"messages": ["a"]},
        {"comment": "x"},
        {"reason": "x" * 500},
        {"data": {"nested": 1}},
    ],
)
async def test_refuses_fields_that_could_carry_personal_data(
    audit: AuditLog, fields: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        await audit.record("request.allowed", **fields)
    assert (await audit.verify()).entries == 0


async def test_record_many_appends_in_order_in_one_chain(audit: AuditLog) -> None:
    first = await audit.record("request.allowed", app="shop")
    last = await audit.record_many(
        [("proxy.request", {"app": "shop", "rules": []}), ("proxy.answer", {"app": "shop", "rules": ["r1"]})]
    )
    entries = [e async for e in audit.entries()]
    assert [e.fields["event"] for e in entries] == ["request.allowed", "proxy.request", "proxy.answer"]
    assert entries[1].prev == first and entries[2].prev == entries[1].hash and entries[2].hash == last
    assert [e.seq for e in entries] == [1, 2, 3]
    assert (await audit.verify()).ok


async def test_record_many_refuses_text_fields_before_writing(audit: AuditLog) -> None:
    with pytest.raises(ValueError):
        await audit.record_many([("proxy.request", {"app": "shop"}), ("proxy.answer", {"text": "hi"})])
    assert [e async for e in audit.entries()] == []
