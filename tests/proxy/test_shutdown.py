"""Closing resources at shutdown: each step bounded, the rest still closed."""

from __future__ import annotations

import asyncio
import logging

import pytest

from guardrail.shutdown import close_each


async def test_a_hanging_step_is_left_behind_and_the_rest_still_close(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed: list[str] = []

    async def hang() -> None:
        await asyncio.Event().wait()

    async def fail() -> None:
        raise OSError("peer gone")

    async def close(name: str) -> None:
        closed.append(name)

    with caplog.at_level(logging.WARNING, logger="guardrail.shutdown"):
        left = await close_each(
            [
                ("pool", lambda: close("pool")),
                ("stuck", hang),
                ("broken", fail),
                ("redis", lambda: close("redis")),
            ],
            seconds=0.2,
        )
    assert left == ["stuck", "broken"]
    assert closed == ["pool", "redis"]
    assert "closing stuck took over" in caplog.text
    assert "closing broken failed (OSError)" in caplog.text
    assert "peer gone" not in caplog.text  # messages may carry data; names only
