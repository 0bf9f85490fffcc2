"""Texts of a chat request outside its messages' contents that the provider
also reads: `user`, `metadata`, tool and function descriptions (their JSON
schemas' descriptions included) and each message's `name`. They are
de-identified with the messages, in the same conversation.

A message `name` must stay `^[A-Za-z0-9_-]{1,64}$` for OpenAI, so a name
holding personal data gets the bare label ("PERSON_1"), not a placeholder.
"""

from __future__ import annotations

import re
from typing import Any

from guardrail.pii.messages import TextSlot

# The request fields this module reads (and `protect` returns de-identified).
FIELDS = ("user", "metadata", "tools", "functions")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class _Put:
    def __init__(self, container: Any, key: Any) -> None:
        self.container, self.key = container, key

    def __call__(self, value: str) -> None:
        self.container[self.key] = value


class _PutName(_Put):
    def __call__(self, value: str) -> None:
        self.container[self.key] = _NAME_UNSAFE.sub("", value)[:64] or "user"


def field_slots(fields: dict[str, Any]) -> list[TextSlot]:
    """Slots over `fields` (a copy the caller owns): user, metadata values,
    and every description in tools and functions."""
    slots: list[TextSlot] = []
    if isinstance(fields.get("user"), str):
        slots.append(TextSlot(fields["user"], _Put(fields, "user")))
    metadata = fields.get("metadata")
    if isinstance(metadata, dict):
        slots += [TextSlot(v, _Put(metadata, k)) for k, v in metadata.items() if isinstance(v, str)]
    for tool in fields.get("tools") or ():
        if isinstance(tool, dict) and isinstance(tool.get("function"), dict):
            slots += _descriptions(tool["function"])
    for function in fields.get("functions") or ():
        if isinstance(function, dict):
            slots += _descriptions(function)
    return slots


def name_slots(messages: list[dict[str, Any]]) -> list[TextSlot]:
    return [
        TextSlot(m["name"], _PutName(m, "name"))
        for m in messages
        if isinstance(m, dict) and isinstance(m.get("name"), str)
    ]


def _descriptions(node: Any) -> list[TextSlot]:
    """Every `description` string in a function definition and its schema
    (iterative: schemas nest)."""
    slots: list[TextSlot] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("description"), str):
                slots.append(TextSlot(current["description"], _Put(current, "description")))
            stack.extend(v for k, v in current.items() if k != "description")
        elif isinstance(current, list):
            stack.extend(current)
    return slots
