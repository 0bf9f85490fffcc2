"""Reviewer credentials: generated tokens, stored only as hashes."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from guardrail.review import ReviewerExists, ReviewerStore, Role


async def test_add_authenticate_remove(
    reviewers: ReviewerStore, redis_client: aioredis.Redis, prefix: str
) -> None:
    reviewer, token = await reviewers.add("alice", Role.ADMIN, can_reveal=True)
    assert reviewer.is_admin and reviewer.can_reveal
    assert token.startswith("grv_") and len(token) > 40
    assert (await reviewers.authenticate_token(token)) == reviewer
    assert (await reviewers.authenticate_basic("alice", token)) == reviewer
    assert await reviewers.authenticate_basic("alice", token + "x") is None
    assert await reviewers.authenticate_token("grv_" + "a" * 43) is None

    # The token itself is nowhere in Redis.
    async for key in redis_client.scan_iter(match=prefix + "*"):
        kind = await redis_client.type(key)
        values = (await redis_client.hgetall(key)).values() if kind == b"hash" else []
        assert all(token.encode() not in v for v in values)
        assert token.encode() not in key

    with pytest.raises(ReviewerExists):
        await reviewers.add("alice")
    with pytest.raises(ValueError):
        await reviewers.add("bad name!")
    assert [r.name for r in await reviewers.list()] == ["alice"]
    assert await reviewers.remove("alice")
    assert await reviewers.authenticate_token(token) is None
    assert not await reviewers.remove("alice")
