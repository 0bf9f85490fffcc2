"""The OpenAI-compatible endpoints and the health probes."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from guardrail.errors import ApiError, bad_request
from guardrail.observability.record import note_model
from guardrail.proxy import headers
from guardrail.proxy.body import read_json
from guardrail.proxy.call import ChatCall
from guardrail.proxy.embeddings import EmbeddingsEndpoint
from guardrail.proxy.pipeline import ChatPipeline
from guardrail.proxy.schema import parse_chat_request
from guardrail.services import Services

SUPPORTED_ENDPOINTS = (
    "POST /v1/chat/completions",
    "POST /v1/embeddings",
    "GET /v1/models",
    "GET /v1/holds/{id}",
    "POST /v1/feedback",
)
# OpenAI endpoints apps may try that the proxy does not serve: an OpenAI-shaped
# error naming what it does serve, instead of a bare 404 page.
_UNSUPPORTED = ("/v1/completions", "/v1/responses", "/v1/responses/{rest:path}")
_HOLD_MODES = ("wait", "async")
_MAX_HOLD_WAIT_SECONDS = 600.0


def proxy_routes(services: Services) -> list[Route]:
    pipeline = ChatPipeline(services)
    embeddings_endpoint = EmbeddingsEndpoint(services)

    async def chat_completions(request: Request) -> Response:
        body = await read_json(request, services.settings.max_body_bytes)
        parsed, raw = parse_chat_request(body)
        note_model(parsed.model)
        app_name = request.state.app_name
        call = ChatCall(
            request_id=request.state.request_id,
            app=services.settings.app_config(app_name),
            request=parsed,
            body=raw,
            conversation_id=_conversation_id(request),
            hold_mode=_hold_mode(request),
            hold_wait_seconds=_hold_wait(request),
        )
        return await pipeline.run(call)

    async def embeddings(request: Request) -> Response:
        return await embeddings_endpoint.handle(request, conversation_id=_conversation_id(request))

    async def list_models(request: Request) -> Response:
        created = int(time.time())
        data = [
            {"id": name, "object": "model", "created": created, "owned_by": "guardrail"}
            for name in services.upstream.registry.names()
        ]
        return JSONResponse({"object": "list", "data": data})

    async def unsupported(request: Request) -> Response:
        endpoint = request.url.path.split("/")[2]
        raise ApiError(
            404,
            f"/v1/{endpoint} is not supported by this proxy; it serves "
            + ", ".join(SUPPORTED_ENDPOINTS)
            + ".",
            code="unsupported_endpoint",
        )

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        problems = []
        try:
            await services.redis.ping()
        except Exception:
            problems.append("redis unreachable")
        if not services.policies.loaded:
            problems.append("policies not loaded")
        if problems:
            return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    return [
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/v1/models", list_models, methods=["GET"]),
        *(Route(path, unsupported, methods=["GET", "POST", "DELETE"]) for path in _UNSUPPORTED),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]


def _conversation_id(request: Request) -> str | None:
    value = request.headers.get(headers.CONVERSATION_ID)
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 200 or not value.isprintable():
        raise bad_request(
            f"{headers.CONVERSATION_ID} must be 1-200 printable characters.",
            param=headers.CONVERSATION_ID,
        )
    return value


def _hold_mode(request: Request) -> str | None:
    value = request.headers.get(headers.HOLD_MODE)
    if value is None:
        return None
    value = value.strip().lower()
    if value not in _HOLD_MODES:
        raise bad_request(f"{headers.HOLD_MODE} must be 'wait' or 'async'.", param=headers.HOLD_MODE)
    return value


def _hold_wait(request: Request) -> float | None:
    value = request.headers.get(headers.HOLD_WAIT)
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= _MAX_HOLD_WAIT_SECONDS:
        raise bad_request(
            f"{headers.HOLD_WAIT} must be a number of seconds between 0 and {_MAX_HOLD_WAIT_SECONDS:g}.",
            param=headers.HOLD_WAIT,
        )
    return seconds
