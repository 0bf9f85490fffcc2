"""Streaming responses: pass-through, restore-as-it-streams, and buffered.

Restoring streams text as it arrives and holds back only what might be the
start of a placeholder. Tool-call arguments are JSON fragments: they are
collected per call and sent restored, whole, just before the choice ends.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse

from guardrail.errors import ApiError
from guardrail.observability.record import current_record, note_error, note_usage
from guardrail.proxy import sse
from guardrail.proxy.completions import assemble

logger = logging.getLogger(__name__)


def sse_response(chunks: AsyncIterator[dict[str, Any]], headers: dict[str, str]) -> StreamingResponse:
    return StreamingResponse(
        _encode(chunks),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **headers},
    )


async def _encode(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    try:
        async for chunk in chunks:
            note_usage(chunk.get("usage"))
            yield sse.event(chunk)
    except ApiError as error:
        # Headers are gone already; the SDK turns this event into an exception.
        note_error(error.code or type(error).__name__)
        yield sse.error_event(error.status, error.message, type=error.type, code=error.code)
        return
    except Exception as exc:
        # The type only: exception messages and tracebacks can quote the text.
        record = current_record()
        logger.error("stream of request %s failed: %s", record.request_id if record else "-",
                     type(exc).__name__)
        note_error(type(exc).__name__)
        yield sse.error_event(
            500, "The stream failed inside the proxy.", type="server_error", code="stream_failed"
        )
        return
    yield sse.DONE


async def passthrough_stream(
    chunks: AsyncIterator[dict[str, Any]],
) -> AsyncIterator[dict[str, Any]]:
    async for chunk in chunks:
        yield chunk


async def well_formed(
    chunks: AsyncIterator[dict[str, Any]], *, include_usage: bool
) -> AsyncIterator[dict[str, Any]]:
    """Chunks as OpenAI sends them, for the usual `chunk.choices[0]` loop:
    a chunk without choices (the usage chunk) only when the app asked for
    usage, and `finish_reason` on every choice (null until the last)."""
    async for chunk in chunks:
        choices = chunk.get("choices")
        if not choices:
            if include_usage and chunk.get("usage"):
                yield chunk
            continue
        yield {**chunk, "choices": [{"finish_reason": None, **choice} for choice in choices]}


async def buffered_stream(chunks: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    collected = [chunk async for chunk in chunks]
    return assemble(collected)


class ChoiceRestorer:
    """Restores one choice of a stream: its text as it arrives, its tool
    calls whole at the end (arguments are JSON fragments until then)."""

    def __init__(self, protected: Any, *, json_content: bool = False) -> None:
        self.protected = protected
        # JSON content (response_format) gets values escaped as arguments do.
        self.text = protected.stream_restorer(json_arguments=json_content)
        self.calls: dict[int, dict[str, Any]] = {}

    def restored_calls(self) -> list[dict[str, Any]]:
        return [
            {
                **call,
                "function": {
                    "name": call["function"]["name"],
                    "arguments": self.protected.restore_arguments(call["function"]["arguments"]),
                },
            }
            for _, call in sorted(self.calls.items())
        ]

    def add_tool_call(self, delta_call: dict[str, Any]) -> None:
        position = delta_call.get("index", 0)
        call = self.calls.setdefault(
            position,
            {
                "index": position,
                "id": "",
                "type": "function",
                "function": {"name": "", "arguments": ""},
            },
        )
        if delta_call.get("id"):
            call["id"] = delta_call["id"]
        function = delta_call.get("function") or {}
        call["function"]["name"] += function.get("name") or ""
        call["function"]["arguments"] += function.get("arguments") or ""


async def restoring_stream(
    chunks: AsyncIterator[dict[str, Any]], protected: Any, *, json_content: bool = False
) -> AsyncIterator[dict[str, Any]]:
    choices: dict[int, ChoiceRestorer] = {}
    last: dict[str, Any] = {}
    async for chunk in chunks:
        out_choices = []
        for choice in chunk.get("choices", []):
            index = choice.get("index", 0)
            state = choices.setdefault(index, ChoiceRestorer(protected, json_content=json_content))
            delta = dict(choice.get("delta") or {})
            for delta_call in delta.pop("tool_calls", None) or []:
                state.add_tool_call(delta_call)
            if delta.get("content"):
                delta["content"] = state.text.feed(delta["content"])
            finish = choice.get("finish_reason")
            if finish:
                tail = state.text.flush()
                if tail:
                    delta["content"] = (delta.get("content") or "") + tail
                if state.calls:
                    delta["tool_calls"] = state.restored_calls()
            if delta.get("content") == "" and "role" not in delta and not finish:
                continue  # nothing safe to release yet
            out_choices.append({**choice, "delta": delta})
        if out_choices or not chunk.get("choices"):
            yield {**chunk, "choices": out_choices}
            last = chunk
    # A provider that ends without a finish_reason must not swallow the tail.
    for index, state in sorted(choices.items()):
        tail = state.text.flush()
        if tail:
            yield {**last, "choices": [{"index": index, "delta": {"content": tail}}]}
