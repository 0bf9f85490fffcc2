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
