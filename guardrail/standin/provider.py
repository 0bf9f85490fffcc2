"""The stand-in provider: OpenAI-compatible chat completions from a script.

By default it answers "You said: <last user text>", which echoes any
placeholders back and so exercises re-identification. Tests and the demo pass
their own `responder` to script answers, tool calls, errors and delays
(`protocol.protocol_responder` answers tools, tool results and JSON modes the
way a model would). Like OpenAI it sends `n` choices, a usage chunk only when
`stream_options.include_usage` asks for it, logprobs when `logprobs` is set,
and a `system_fingerprint`; `/v1/embeddings` returns deterministic vectors.
Every request body is kept in `received`, so a test can prove what the
provider saw.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from guardrail.chat_messages import latest_customer_text


@dataclass
class Reply:
    """What the stand-in answers to one request."""

    content: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    status: int = 200
    error_message: str = "scripted provider error"
    delay_seconds: float = 0.0
    chunk_size: int = 7
    finish_reason: str | None = None
    extra_choices: list[str] = field(default_factory=list)
    # More fields of the (non-streamed) message: refusal, reasoning_content, function_call...
    message_fields: dict[str, Any] = field(default_factory=dict)
    # Answer without a completion `id`, as some compatible servers do.
    omit_id: bool = False


Responder = Callable[[dict[str, Any]], Reply]

SYSTEM_FINGERPRINT = "fp_standin"
USAGE = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
_EMBEDDING_DIMENSIONS = 8


def echo_responder(body: dict[str, Any]) -> Reply:
    return Reply(content=f"You said: {last_user_text(body)}")


def last_user_text(body: dict[str, Any]) -> str:
    return latest_customer_text(body.get("messages", []))


class StandInProvider:
    """An OpenAI-compatible HTTP app with scripted answers (no model, no network)."""

    def __init__(self, responder: Responder = echo_responder, *, models: list[str] | None = None):
        self.responder = responder
        self.models = models or ["stand-in"]
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )

    def reset(self) -> None:
        with self._lock:
            self.received.clear()

    def texts_received(self) -> str:
        """Everything the provider was sent, as one string, for leak assertions."""
        with self._lock:
            return json.dumps(self.received, ensure_ascii=False)

    async def _models(self, request: Request) -> Response:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "stand-in"} for m in self.models]
        return JSONResponse({"object": "list", "data": data})

    async def _embeddings(self, request: Request) -> Response:
        body = await request.json()
        with self._lock:
            self.received.append(body)
        inputs = body.get("input")
        items = [inputs] if isinstance(inputs, str | int) or (
            isinstance(inputs, list) and inputs and isinstance(inputs[0], int)
        ) else list(inputs or [])
        size = int(body.get("dimensions") or _EMBEDDING_DIMENSIONS)
        data = [
            {"object": "embedding", "index": i, "embedding": _vector(json.dumps(item), size)}
            for i, item in enumerate(items)
        ]
        usage = {"prompt_tokens": len(items), "total_tokens": len(items)}
        return JSONResponse({"object": "list", "data": data, "model": body.get("model"), "usage": usage})

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        with self._lock:
            self.received.append(body)
        reply = self.responder(body)
        if reply.delay_seconds:
            await asyncio.sleep(reply.delay_seconds)
        if reply.status != 200:
            return JSONResponse(
                {"error": {"message": reply.error_message, "type": "scripted", "code": None}},
                status_code=reply.status,
            )
        model = body.get("model", "stand-in")
        choices = max(1, int(body.get("n") or 1))
        if body.get("stream"):
            options = body.get("stream_options") or {}
            usage = bool(options.get("include_usage"))
            logprobs = bool(body.get("logprobs"))
            return StreamingResponse(
                self._stream(reply, model, choices, usage=usage, logprobs=logprobs),
                media_type="text/event-stream",
            )
        return JSONResponse(_completion(reply, model, choices, logprobs=bool(body.get("logprobs"))))

    async def _stream(
        self, reply: Reply, model: str, choices: int, *, usage: bool, logprobs: bool
    ) -> AsyncIterator[bytes]:
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        base = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
        }

        def chunk(index: int, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
            choice = {"index": index, "delta": delta, "finish_reason": finish, **extra}
            payload = {**base, "choices": [choice]}
            return f"data: {json.dumps(payload)}\n\n".encode()

        for index in range(choices):
            yield chunk(index, {"role": "assistant", "content": ""})
            text = _choice_text(reply, index)
            if text:
                for start in range(0, len(text), reply.chunk_size):
                    piece = text[start : start + reply.chunk_size]
                    extra = {"logprobs": _logprobs(piece)} if logprobs else {}
                    yield chunk(index, {"content": piece}, **extra)
            for call_index, call in enumerate(reply.tool_calls or []):
                arguments = call["function"]["arguments"]
                yield chunk(
                    index,
                    {
                        "tool_calls": [
                            {
                                "index": call_index,
                                "id": call.get("id", f"call_{call_index}"),
                                "type": "function",
                                "function": {"name": call["function"]["name"], "arguments": ""},
                            }
                        ]
                    },
                )
                for start in range(0, len(arguments), reply.chunk_size):
                    piece = arguments[start : start + reply.chunk_size]
                    yield chunk(
                        index,
                        {"tool_calls": [{"index": call_index, "function": {"arguments": piece}}]},
                    )
            yield chunk(index, {}, _finish_reason(reply))
        if usage:
            yield f"data: {json.dumps({**base, 'choices': [], 'usage': USAGE})}\n\n".encode()
        yield b"data: [DONE]\n\n"


def _choice_text(reply: Reply, index: int) -> str | None:
    if index == 0:
        return reply.content
    extras = reply.extra_choices
    return extras[index - 1] if index - 1 < len(extras) else reply.content


def _finish_reason(reply: Reply) -> str:
    if reply.finish_reason:
        return reply.finish_reason
    return "tool_calls" if reply.tool_calls else "stop"


def _logprobs(text: str) -> dict[str, Any]:
    """A made-up but well-formed logprobs entry for `text` (one token)."""
    return {"content": [{"token": text, "logprob": -0.5, "bytes": list(text.encode()), "top_logprobs": []}]}


def _vector(text: str, size: int) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [round(digest[i % len(digest)] / 255.0, 6) for i in range(size)]


def _completion(reply: Reply, model: str, choices: int, *, logprobs: bool = False) -> dict[str, Any]:
    out = []
    for index in range(choices):
        message: dict[str, Any] = {"role": "assistant", "content": _choice_text(reply, index)}
        message.update(reply.message_fields)
        if reply.tool_calls:
            message["tool_calls"] = [
                {"id": c.get("id", f"call_{i}"), "type": "function", "function": c["function"]}
                for i, c in enumerate(reply.tool_calls)
            ]
        choice: dict[str, Any] = {"index": index, "message": message, "finish_reason": _finish_reason(reply)}
        if logprobs:
            choice["logprobs"] = _logprobs(message["content"] or "")
        out.append(choice)
    completion = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": out,
        "usage": dict(USAGE),
    }
    if reply.omit_id:
        del completion["id"]
    return completion
