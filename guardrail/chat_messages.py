"""Reading OpenAI chat messages, the way every stage needs to."""

from __future__ import annotations

from typing import Any


def latest_customer_text(messages: list[dict[str, Any]]) -> str:
    """The text of the last user message (string or content-part form): what
    request checks, language detection and topic detection read."""
    for message in reversed(messages):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return "\n".join(
                part.get("text", "")
                for part in content
                if isinstance(part, dict) and part.get("type") == "text"
            )
        return ""
    return ""
