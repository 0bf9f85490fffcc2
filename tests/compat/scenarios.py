"""What every client in the suite sends and may expect back: the same
requests, the same checks, whichever SDK speaks to the proxy."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.support.harness import MODEL, ProxyHarness

__all__ = ["MODEL"]

GREETING = "Hello there, how are you?"
WEATHER_QUESTION = "What's the weather like today?"
WEATHER_RESULT = "Sunny, 21C"
TIME_RESULT = "It is 10:00 in the morning"

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
TIME_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "The local time in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
ANSWER_SCHEMA: dict[str, Any] = {
    "name": "answer",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {"answer": {"type": "string"}, "confidence": {"type": "number"}},
        "required": ["answer", "confidence"],
        "additionalProperties": False,
    },
}


def echo(text: str) -> str:
    return f"You said: {text}"


def customer() -> dict[str, str]:
    """A customer of one test's own, so a shared proxy's provider log tells
    this test's values apart."""
    tag = uuid.uuid4().hex[:8]
    return {"name": "Sarah Johnson", "email": f"sarah.{tag}@example.com"}


def personal_message(person: dict[str, str]) -> str:
    return f"Hi, I'm {person['name']} and my email is {person['email']}."


def assert_never_sent(harness: ProxyHarness, *values: str) -> None:
    seen = harness.provider.texts_received()
    for value in values:
        assert value not in seen


def assert_json_answer(content: str, said: str) -> None:
    """Content is JSON and nothing else (no appended sentence)."""
    assert json.loads(content) == {"answer": echo(said)}
