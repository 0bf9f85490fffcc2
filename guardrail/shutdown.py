"""Closing the app's resources at shutdown, each within a bounded time.

A resource that hangs while closing (a peer that never answers, a thread that
never returns) must not keep the process alive after SIGTERM: the orchestrator
would kill it later anyway, and nobody would know what hung. Each step gets
its own time; one that overruns is logged by name and left behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

logger = logging.getLogger(__name__)

CloseStep = tuple[str, Callable[[], Awaitable[object]]]


async def close_each(steps: Sequence[CloseStep], seconds: float = 10.0) -> list[str]:
    """Run the steps in order, each for at most `seconds`; return the names of
    those that overran or failed (already logged)."""
    left_behind: list[str] = []
    for name, close in steps:
        try:
            await asyncio.wait_for(close(), seconds)
        except TimeoutError:
            logger.warning("shutdown: closing %s took over %.0f s; going on without it", name, seconds)
            left_behind.append(name)
        except Exception as exc:  # one failing resource must not keep the others open
            logger.warning("shutdown: closing %s failed (%s); going on", name, type(exc).__name__)
            left_behind.append(name)
    return left_behind
