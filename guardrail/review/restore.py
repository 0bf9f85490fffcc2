"""Re-identifying queue texts through the PII service, whatever its shape.

The queue only ever stores de-identified text. Putting the real values back
is the PII service's job (`restorer_for(scope=app, conversation_id, labels)`);
these helpers accept sync or async implementations so the two packages stay
decoupled.

A hold restores only the placeholders its own request was issued
(`Hold.labels`), never everything its conversation id ever stored: customers
whose conversations open alike may share that id.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from guardrail.review.model import Hold

T = TypeVar("T")


class Restorer(Protocol):
    def restore(self, text: str) -> str | Awaitable[str]: ...


class RestorerSource(Protocol):
    def restorer_for(
        self, scope: str, conversation_id: str, labels: Sequence[str]
    ) -> Restorer | Awaitable[Restorer]: ...


async def _resolve(value: T | Awaitable[T]) -> T:
    if inspect.isawaitable(value):
        return await value
    return value


async def restorer(pii: RestorerSource, hold: Hold) -> Restorer:
    """The restorer of one hold: its own request's placeholders only."""
    return await _resolve(
        pii.restorer_for(scope=hold.app, conversation_id=hold.conversation_id, labels=hold.labels)
    )


async def restore_text(pii: RestorerSource, hold: Hold, text: str | None) -> str | None:
    if text is None:
        return None
    found = await restorer(pii, hold)
    return await _resolve(found.restore(text))


async def restore_messages(found: Restorer, messages: Sequence[Mapping[str, Any]]
                           ) -> list[dict[str, Any]]:
    """Chat messages with every text (string content, text parts, tool-call
    arguments) re-identified."""
    restored = []
    for message in messages:
        item = dict(message)
        content = item.get("content")
        if isinstance(content, str):
            item["content"] = await _resolve(found.restore(content))
        elif isinstance(content, list):
            parts = []
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    part = {**part, "text": await _resolve(found.restore(part["text"]))}
                parts.append(part)
            item["content"] = parts
        calls = item.get("tool_calls")
        if isinstance(calls, list):
            item["tool_calls"] = [await _restore_call(found, call) for call in calls]
        restored.append(item)
    return restored


async def _restore_call(found: Restorer, call: Any) -> Any:
    if not isinstance(call, dict) or not isinstance(call.get("function"), dict):
        return call
    function = dict(call["function"])
    if isinstance(function.get("arguments"), str):
        # Values put back into JSON need escaping: use the PII service's JSON-aware restore.
        restore_json = getattr(found, "restore_arguments", found.restore)
        function["arguments"] = await _resolve(restore_json(function["arguments"]))
    return {**call, "function": function}
