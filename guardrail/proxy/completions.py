"""Chat completions the proxy writes itself (handoff, holding, fallback,
released answers), and the conversion between whole answers and chunks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

_CHUNK_CHARS = 64


def new_completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def text_completion(model: str, text: str, *, completion_id: str | None = None) -> dict[str, Any]:
    return {
        "id": completion_id or new_completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def assemble(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """Fold streamed chunks back into one completion (for checks that need
    the whole answer before any of it is released)."""
    choices: dict[int, dict[str, Any]] = {}
    first = chunks[0] if chunks else {}
    usage = None
    for chunk in chunks:
        usage = chunk.get("usage") or usage
        for choice in chunk.get("choices", []):
            index = choice.get("index", 0)
            slot = choices.setdefault(
                index,
                {
                    "index": index,
                    "message": {"role": "assistant", "content": None},
                    "finish_reason": None,
                },
            )
            delta = choice.get("delta") or {}
            message = slot["message"]
            if delta.get("content"):
                message["content"] = (message["content"] or "") + delta["content"]
            for call in delta.get("tool_calls") or []:
                calls = message.setdefault("tool_calls", [])
                position = call.get("index", 0)
                while len(calls) <= position:
                    calls.append({"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
                target = calls[position]
                if call.get("id"):
                    target["id"] = call["id"]
                function = call.get("function") or {}
                if function.get("name"):
                    target["function"]["name"] += function["name"]
                if function.get("arguments"):
                    target["function"]["arguments"] += function["arguments"]
            if choice.get("finish_reason"):
                slot["finish_reason"] = choice["finish_reason"]
    completion = {
        "id": first.get("id") or new_completion_id(),
        "object": "chat.completion",
        "created": first.get("created") or int(time.time()),
        "model": first.get("model", ""),
        "choices": [choices[i] for i in sorted(choices)],
    }
    if usage:
        completion["usage"] = usage
    return completion


def to_chunks(completion: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Replay a whole completion as stream chunks."""
    base = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
    }
    for choice in completion["choices"]:
        index = choice["index"]
        message = choice["message"]
        yield {**base, "choices": [{"index": index, "delta": {"role": "assistant", "content": ""}}]}
        content = message.get("content") or ""
        for start in range(0, len(content), _CHUNK_CHARS):
            piece = content[start : start + _CHUNK_CHARS]
            yield {**base, "choices": [{"index": index, "delta": {"content": piece}}]}
        for position, call in enumerate(message.get("tool_calls") or []):
            delta_call = {
                "index": position,
                "id": call["id"],
                "type": "function",
                "function": call["function"],
            }
            yield {**base, "choices": [{"index": index, "delta": {"tool_calls": [delta_call]}}]}
        finish = choice.get("finish_reason") or "stop"
        yield {**base, "choices": [{"index": index, "delta": {}, "finish_reason": finish}]}
    if completion.get("usage"):
        yield {**base, "choices": [], "usage": completion["usage"]}
