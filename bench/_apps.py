"""ASGI app factories for `uvicorn --factory`, one per benchmark target.

Each runs in its own uvicorn process (see `bench._servers`), so a target never
shares an event loop with the load generator or the provider. Factories take
their settings from BENCH_* environment variables because uvicorn calls them
without arguments:

- BENCH_UPSTREAM      base URL of the stand-in provider, ending in /v1
- BENCH_REDIS_URL     Redis for guardrail's app keys
- BENCH_REDIS_PREFIX  a prefix unique to this run, so keys can be cleaned up
- BENCH_POLICIES_DIR  guardrail's policy directory (empty = pure gateway)
- BENCH_DATA_DIR      guardrail's data directory
- BENCH_REPLY         optional: the stand-in's fixed answer (default FIXED_REPLY)
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from guardrail.standin import Reply, StandInProvider

# What the stand-in always answers: fixed, so the provider costs the same for
# every target and stays far cheaper than the proxies in front of it.
FIXED_REPLY = Reply(content="Our opening hours are 9:00 to 17:00, Monday to Friday.")
UPSTREAM_MODEL = "openai/stand-in"
PROVIDER_KEY = "bench-provider-key"
# The same per-call options guardrail passes by default (UpstreamSettings).
LITELLM_TIMEOUT_SECONDS = 60.0
LITELLM_NUM_RETRIES = 2


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} must be set for this benchmark app")
    return value


def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def standin_app() -> Starlette:
    """The stand-in provider with a fixed reply and a bounded request record
    (the default record keeps every body, which would grow for the whole run)."""
    content = os.environ.get("BENCH_REPLY")
    reply = Reply(content=content) if content else FIXED_REPLY
    provider = StandInProvider(lambda body: reply)
    provider.received = deque(maxlen=1)  # type: ignore[assignment]
    return provider.app


def forwarder_app() -> Starlette:
    """A bare pass-through: read the body, POST the same bytes upstream with
    httpx, send the provider's bytes back. No auth, no validation, no
    re-encoding: the floor for any Python proxy."""
    upstream = _env("BENCH_UPSTREAM").rstrip("/") + "/chat/completions"
    state: dict[str, httpx.AsyncClient] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
        async with httpx.AsyncClient(limits=limits, timeout=LITELLM_TIMEOUT_SECONDS) as client:
            state["client"] = client
            yield

    async def chat(request: Request) -> Response:
        raw = await request.body()
        # The one parse any proxy needs: is the answer a stream?
        stream = bool(json.loads(raw).get("stream"))
        client = state["client"]
        headers = {"authorization": f"Bearer {PROVIDER_KEY}", "content-type": "application/json"}
        upstream_request = client.build_request("POST", upstream, content=raw, headers=headers)
        if not stream:
            answer = await client.send(upstream_request)
            return Response(
                answer.content,
                status_code=answer.status_code,
                media_type=answer.headers.get("content-type"),
            )
        answer = await client.send(upstream_request, stream=True)

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in answer.aiter_raw():
                    yield chunk
            finally:
                await answer.aclose()

        return StreamingResponse(relay(), status_code=answer.status_code, media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/healthz", _healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def litellm_app() -> Starlette:
    """A bare Starlette app whose only work is `litellm.acompletion`, called
    with the same arguments guardrail builds: the floor for a litellm proxy."""
    from guardrail.proxy.litellm_setup import litellm  # offline and quiet, like guardrail

    api_base = _env("BENCH_UPSTREAM")

    async def chat(request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        args = {k: v for k, v in body.items() if k not in ("model", "messages", "stream")}
        args.update(model=UPSTREAM_MODEL, api_base=api_base, api_key=PROVIDER_KEY)
        args.update(timeout=LITELLM_TIMEOUT_SECONDS, num_retries=LITELLM_NUM_RETRIES)
        if not body.get("stream"):
            response = await litellm.acompletion(messages=body["messages"], **args)
            return JSONResponse(response.model_dump(exclude_none=True))
        stream = await litellm.acompletion(messages=body["messages"], stream=True, **args)

        async def events() -> AsyncIterator[bytes]:
            async for chunk in stream:
                yield b"data: " + json.dumps(chunk.model_dump(exclude_none=True)).encode() + b"\n\n"
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/healthz", _healthz, methods=["GET"]),
        ]
    )


def guardrail_app() -> Starlette:
    """guardrail itself, built by its own app factory, with one public model
    routed to the stand-in on the lean OpenAI-compatible path (the default)."""
    return _guardrail(lean=True)


def guardrail_litellm_app() -> Starlette:
    """guardrail with `upstream.lean_openai_path: false`: the same model
    called through litellm, as before the lean path existed."""
    return _guardrail(lean=False)


def _guardrail(*, lean: bool) -> Starlette:
    from guardrail.app import create_app
    from guardrail.config import ConfigFile, Settings

    model_entry = {
        "model_name": os.environ.get("BENCH_MODEL", "bench-model"),
        "litellm_params": {
            "model": UPSTREAM_MODEL,
            "api_base": _env("BENCH_UPSTREAM"),
            "api_key": PROVIDER_KEY,
        },
    }
    settings = Settings(
        policies_dir=Path(_env("BENCH_POLICIES_DIR")),
        data_dir=Path(_env("BENCH_DATA_DIR")),
        redis_url=_env("BENCH_REDIS_URL"),
        redis_prefix=_env("BENCH_REDIS_PREFIX"),
        log_level="warning",
        file=ConfigFile.model_validate(
            {"model_list": [model_entry], "upstream": {"lean_openai_path": lean}}
        ),
    )
    return create_app(settings)
