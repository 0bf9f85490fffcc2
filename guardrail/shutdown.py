"""Stopping: telling the app a stop signal came, and closing its resources
each within a bounded time.

The server (uvicorn) hears SIGTERM, stops accepting, and waits up to its
graceful timeout for open requests; the app hears nothing until every
request is over. Requests that wait for a reviewer would sit out the whole
timeout and then lose their connection, so the app asks to hear the signal
too (`on_stop_signal`) and ends those waits at once.

A resource that hangs while closing (a peer that never answers, a thread that
never returns) must not keep the process alive after SIGTERM: the orchestrator
would kill it later anyway, and nobody would know what hung. Each step gets
its own time; one that overruns is logged by name and left behind.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Sequence
from types import FrameType

logger = logging.getLogger(__name__)

CloseStep = tuple[str, Callable[[], Awaitable[object]]]
SignalHandler = Callable[[int, FrameType | None], object]
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def on_stop_signal(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` in the running loop when SIGTERM or SIGINT arrives,
    then let the handler already there (the server's) run as before. Returns
    a function that puts that handler back. Signal handlers live in the main
    thread only; elsewhere (an app served from a test's thread) nothing is
    installed."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    installed: dict[int, tuple[SignalHandler, SignalHandler]] = {}
    for sig in _STOP_SIGNALS:
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue  # default or ignored: not a server that stops gracefully
        chained = _chained(previous, lambda: loop.call_soon_threadsafe(callback))
        signal.signal(sig, chained)
        installed[sig] = (chained, previous)

    def undo() -> None:
        for sig, (chained, previous) in installed.items():
            if signal.getsignal(sig) is chained:  # nobody replaced it since
                signal.signal(sig, previous)

    return undo


def _chained(previous: SignalHandler, first: Callable[[], object]) -> SignalHandler:
    def handler(signum: int, frame: FrameType | None) -> None:
        first()
        previous(signum, frame)

    return handler


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
