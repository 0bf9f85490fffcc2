"""What one request's record, metrics and log line cost, in-process.

Drives a trivial ASGI app (one JSON response with guardrail's headers) with
and without `ObservabilityMiddleware` (metrics on, request log at INFO to a
discarding handler, tracing off) and prints the median cost per request.

    .venv/bin/python -m bench.observability_overhead [--n 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from typing import Any

from guardrail.observability.metrics import Metrics
from guardrail.observability.middleware import ObservabilityMiddleware
from guardrail.observability.record import note_decision, note_model, stage
from guardrail.observability.request_log import REQUEST_LOGGER, JsonFormatter
from guardrail.types import Action, Finding, Severity, Verdict

_VERDICT = Verdict(Action.HOLD, (Finding("tone.customer-blame", "tone", Severity.MEDIUM, "blames"),))


async def _app(scope: Any, receive: Any, send: Any) -> None:
    scope["state"]["app_name"] = "shop"
    note_model("support-bot")
    with stage("deidentify"):
        pass
    with stage("upstream"):
        pass
    note_decision(_VERDICT)
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json"), (b"x-guardrail-verdict", b"hold")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def _drive(app: Any, n: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    started = time.perf_counter()
    for i in range(n):
        scope = {"type": "http", "method": "POST", "path": "/v1/chat/completions", "headers": [],
                 "state": {"request_id": f"req_{i}"}}
        await app(scope, receive, send)
    return (time.perf_counter() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    handler = logging.NullHandler()
    handler.setFormatter(JsonFormatter())

    class Formatting(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            JsonFormatter().format(record)  # the work a real handler does

    logger = logging.getLogger(REQUEST_LOGGER)
    logger.addHandler(Formatting())
    logger.setLevel(logging.INFO)
    logger.propagate = False
    wrapped = ObservabilityMiddleware(_app, metrics=Metrics(model_names=["support-bot"]))
    bare, observed = [], []
    for _ in range(args.rounds):
        bare.append(asyncio.run(_drive(_app, args.n)))
        observed.append(asyncio.run(_drive(wrapped, args.n)))
    b, o = statistics.median(bare), statistics.median(observed)
    print(f"bare app:            {b * 1e6:8.1f} µs/request")
    print(f"with observability:  {o * 1e6:8.1f} µs/request")
    print(f"added:               {(o - b) * 1e6:8.1f} µs/request (median of {args.rounds} rounds x {args.n})")


if __name__ == "__main__":
    main()
