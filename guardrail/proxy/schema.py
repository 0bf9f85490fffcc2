"""The chat-completions request, validated enough to give clear 400s.

Only what the pipeline relies on is typed strictly (messages, model, stream,
n); every other OpenAI parameter passes through untouched, so new provider
features keep working without a proxy release.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from guardrail.errors import ApiError, bad_request

Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["text"]
    text: str


class OtherPart(BaseModel):
    """Image, audio, file parts: passed through, never analysed as text."""

    model_config = ConfigDict(extra="allow")
    type: str


class FunctionCall(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    arguments: str


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    type: str = "function"
    function: FunctionCall


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Role
    content: str | list[TextPart | OtherPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _parts_are_objects(cls, value: Any) -> Any:
        if isinstance(value, list):
            for part in value:
                if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                    raise ValueError("each content part must be an object with a 'type'")
                if part["type"] == "text" and not isinstance(part.get("text"), str):
                    raise ValueError("a text content part needs a string 'text'")
        return value


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1)
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    n: int = Field(default=1, ge=1, le=16)


def parse_chat_request(body: Any) -> tuple[ChatRequest, dict[str, Any]]:
    """Validate the body; return the model and the raw dict (passed upstream).

    The raw dict is what goes to the provider, so fields the schema does not
    know (and their exact JSON form) survive the trip.
    """
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", code="invalid_body")
    try:
        return ChatRequest.model_validate(body), body
    except ValidationError as exc:
        raise _schema_error(exc) from None


def _schema_error(exc: ValidationError) -> ApiError:
    first = exc.errors()[0]
    # Drop pydantic's union-branch names ("str", "list[...]") from the path so
    # it reads like the JSON the client sent: messages.0.content.
    path = [
        str(part)
        for part in first["loc"]
        if isinstance(part, int)
        or (
            not any(ch in str(part) for ch in "[]")
            and str(part) not in {"str", "function-after", "TextPart", "OtherPart"}
        )
    ]
    param = ".".join(path) or None
    problem = first["msg"]
    # Never echo the input value: it may be a customer's message.
    return bad_request(f"Invalid request: '{param}': {problem}.", param=param)
