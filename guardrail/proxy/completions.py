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
            if delta.get("refusal"):
                message["refusal"] = (message.get("refusal") or "") + delta["refusal"]
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
            _add_logprobs(slot, choice.get("logprobs"))
            if choice.get("finish_reason"):
                slot["finish_reason"] = choice["finish_reason"]
    completion = {
        "id": first.get("id") or new_completion_id(),
        "object": "chat.completion",
        "created": first.get("created") or int(time.time()),
        "model": first.get("model", ""),
        "choices": [choices[i] for i in sorted(choices)],
    }
    for name in _COMPLETION_EXTRAS:
        value = next((c[name] for c in chunks if c.get(name) is not None), None)
        if value is not None:
            completion[name] = value
    if usage:
        completion["usage"] = usage
    return completion


class _ChunkMaker:
    """Chunks of one choice of a replayed completion."""

    def __init__(self, base: dict[str, Any], index: int) -> None:
        self.base, self.index = base, index

    def __call__(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        choice = {"index": self.index, "delta": delta, "finish_reason": finish, **extra}
        return {**self.base, "choices": [choice]}


# Top-level fields a stream's chunks share with the completion they fold into.
_COMPLETION_EXTRAS = ("system_fingerprint", "service_tier")


def _add_logprobs(slot: dict[str, Any], logprobs: Any) -> None:
    """Stream logprobs arrive per chunk as lists; the completion has one list."""
    if not isinstance(logprobs, dict):
        return
    merged = slot.setdefault("logprobs", {})
    for key, items in logprobs.items():
        if isinstance(items, list):
            merged[key] = (merged.get(key) or []) + items


def to_chunks(
    completion: dict[str, Any], *, include_usage: bool = False, final: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Replay a whole completion as stream chunks, shaped as OpenAI streams
    them: `finish_reason` on every choice (null until the last), the usage
    chunk (empty `choices`) only when the client asked for it, and `final`
    fields (the `guardrail` verdict) on the last chunk that has a choice."""
    base: dict[str, Any] = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
    }
    for name in _COMPLETION_EXTRAS:
        if completion.get(name) is not None:
            base[name] = completion[name]
    choices = completion["choices"]
    for number, choice in enumerate(choices):
        index = choice["index"]
        message = choice["message"]
        chunk = _ChunkMaker(base, index)
        yield chunk({"role": "assistant", "content": ""})
        content = message.get("content") or ""
        logprobs = choice.get("logprobs")
        for start in range(0, len(content), _CHUNK_CHARS):
            piece = content[start : start + _CHUNK_CHARS]
            # The whole choice's logprobs ride on its first piece of text.
            yield chunk({"content": piece}, **({"logprobs": logprobs} if logprobs and start == 0 else {}))
        if message.get("refusal"):
            yield chunk({"refusal": message["refusal"]})
        for position, call in enumerate(message.get("tool_calls") or []):
            delta_call = {
                "index": position,
                "id": call["id"],
                "type": "function",
                "function": call["function"],
            }
            yield chunk({"tool_calls": [delta_call]})
        last = chunk({}, choice.get("finish_reason") or "stop")
        if final and number == len(choices) - 1:
            last.update(final)
        yield last
    if include_usage:
        # Answers the proxy writes itself used no model: usage 0/0/0.
        usage = completion.get("usage") or {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        yield {**base, "choices": [], "usage": usage}
