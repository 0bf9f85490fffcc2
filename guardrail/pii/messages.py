"""Every piece of text in an OpenAI chat request, as writable slots.

User, assistant, system and tool messages; string or content-part form;
refusals; and the string values inside tool-call arguments (JSON), so that a
value is replaced inside the JSON string rather than across its quoting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class TextSlot:
    text: str
    write: Callable[[str], None]


class _Setter:
    """Writes into container[key]; a class, not a lambda, so loops bind correctly."""

    def __init__(self, container: Any, key: Any, *, then: Callable[[], None] | None = None):
        self.container, self.key, self.then = container, key, then

    def __call__(self, value: str) -> None:
        self.container[self.key] = value
        if self.then is not None:
            self.then()


def text_slots(messages: list[dict[str, Any]]) -> list[TextSlot]:
    """Slots over `messages`, which the caller owns (a deep copy)."""
    slots: list[TextSlot] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            slots.append(TextSlot(content, _Setter(message, "content")))
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    slots.append(TextSlot(part["text"], _Setter(part, "text")))
        if isinstance(message.get("refusal"), str):
            slots.append(TextSlot(message["refusal"], _Setter(message, "refusal")))
        for call in message.get("tool_calls") or ():
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                slots.extend(_argument_slots(function))
        legacy = message.get("function_call")
        if isinstance(legacy, dict) and isinstance(legacy.get("arguments"), str):
            slots.extend(_argument_slots(legacy))
    return slots


def _argument_slots(function: dict[str, Any]) -> list[TextSlot]:
    raw = function["arguments"]
    try:
        parsed = json.loads(raw)
    except ValueError:
        return [TextSlot(raw, _Setter(function, "arguments"))]
    if not isinstance(parsed, dict | list):
        return [TextSlot(raw, _Setter(function, "arguments"))]

    def reserialise() -> None:
        function["arguments"] = json.dumps(parsed, ensure_ascii=False)

    slots: list[TextSlot] = []
    stack: list[Any] = [parsed]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, str):
                slots.append(TextSlot(value, _Setter(node, key, then=reserialise)))
            elif isinstance(value, int) and not isinstance(value, bool):
                # A phone or card number sent as a JSON number is still one.
                slots.append(TextSlot(str(value), _ChangedOnly(node, key, str(value), reserialise)))
            elif isinstance(value, dict | list):
                stack.append(value)
    return slots


class _ChangedOnly(_Setter):
    """For numbers: written back (as a string) only when something was replaced."""

    def __init__(self, container: Any, key: Any, original: str, then: Callable[[], None]):
        super().__init__(container, key, then=then)
        self.original = original

    def __call__(self, value: str) -> None:
        if value != self.original:
            super().__call__(value)


def opening_digest(messages: list[dict[str, Any]], user: str | None = None) -> bytes:
    """A digest that identifies a conversation when the app sends no id.

    Plain OpenAI clients resend the start of a conversation unchanged every
    turn: every message before the first assistant message, and the first
    customer message even when an assistant greeting comes before it. Many
    customers of one app share a system prompt and greeting, so the first
    customer message (and the `user` field, when the app sends one) is what
    keeps their conversations, and their placeholders, apart. The caller keys
    the digest (HMAC) before use.
    """
    opening: list[Any] = []
    first_user_seen = False
    in_opening = True
    for message in messages:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "assistant":
            in_opening = False
        if in_opening or (role == "user" and not first_user_seen):
            opening.append([role, message.get("name"), message.get("content")])
        first_user_seen = first_user_seen or role == "user"
        if not in_opening and first_user_seen:
            break
    encoded = json.dumps(
        {"opening": opening, "user": user}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(encoded.encode()).digest()
