"""Closing resources at shutdown: each step bounded, the rest still closed."""

from __future__ import annotations

import asyncio
import logging
import signal

import pytest

from guardrail.shutdown import close_each, on_stop_signal


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


async def test_a_stop_signal_reaches_the_app_and_then_the_server() -> None:
    heard: list[str] = []
    server_handler = signal.signal(signal.SIGTERM, lambda signum, frame: heard.append("server"))
    try:
        undo = on_stop_signal(lambda: heard.append("app"))
        signal.raise_signal(signal.SIGTERM)
        await asyncio.sleep(0.05)
        assert heard == ["server", "app"]  # the server's runs in the handler, the app's in the loop
        undo()
        signal.raise_signal(signal.SIGTERM)
        await asyncio.sleep(0.05)
        assert heard == ["server", "app", "server"]
    finally:
        signal.signal(signal.SIGTERM, server_handler)


async def test_no_handler_is_installed_off_the_main_thread() -> None:
    before = signal.getsignal(signal.SIGTERM)
    undo = await asyncio.to_thread(lambda: on_stop_signal(lambda: None))
    assert signal.getsignal(signal.SIGTERM) is before
    undo()
