"""One chat-completions call as the pipeline sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guardrail.config import AppConfig
from guardrail.proxy.schema import ChatRequest


@dataclass
class ChatCall:
    request_id: str
    app: AppConfig
    request: ChatRequest
    body: dict[str, Any]
    conversation_id: str | None
    hold_mode: str | None
    hold_wait_seconds: float | None

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.body["messages"]
        return messages

    @property
    def include_usage(self) -> bool:
        """Whether the app asked for the usage chunk at the end of a stream."""
        options = self.body.get("stream_options")
        return isinstance(options, dict) and bool(options.get("include_usage"))

    @property
    def json_answer(self) -> bool:
        """Whether the answer's content must be JSON (`response_format`)."""
        fmt = self.body.get("response_format")
        return isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema")
