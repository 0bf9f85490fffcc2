"""An app changes only base_url and api_key; everything keeps working."""

from __future__ import annotations

import json

import openai
import pytest

from guardrail.standin import Reply
from tests.support.harness import MODEL, ProxyHarness

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_order",
        "description": "Look up an order",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
    },
}


def test_chat_completion(gateway: ProxyHarness) -> None:
    response = gateway.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Where is my parcel?"}]
    )
    assert response.choices[0].message.content == "You said: Where is my parcel?"
    assert response.model == MODEL
    sent = gateway.provider.received[-1]
    assert sent["messages"] == [{"role": "user", "content": "Where is my parcel?"}]


def test_provider_key_never_reaches_the_app_and_app_key_never_reaches_provider(
    gateway: ProxyHarness,
) -> None:
    raw = gateway.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "hi"}]
    )
    assert "provider-secret-key" not in raw.text
    assert gateway.key() not in gateway.provider.texts_received()


def test_streaming(gateway: ProxyHarness) -> None:
    gateway.provider.responder = lambda body: Reply(content="Your parcel is on its way today.", chunk_size=4)
    stream = gateway.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "status?"}], stream=True
    )
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert "".join(pieces) == "Your parcel is on its way today."
    assert len([p for p in pieces if p]) > 3  # really streamed, not one blob


def test_system_prompt_and_content_parts(gateway: ProxyHarness) -> None:
    messages = [
        {"role": "system", "content": "You are a helpful support agent."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ],
        },
    ]
    response = gateway.client().chat.completions.create(model=MODEL, messages=messages)
    assert response.choices[0].message.content == "You said: What is in this picture?"
    sent = gateway.provider.received[-1]["messages"]
    assert sent[0] == messages[0]
    assert sent[1]["content"][1]["type"] == "image_url"


def test_tool_calls_round_trip(gateway: ProxyHarness) -> None:
    call = {"id": "call_1", "function": {"name": "get_order", "arguments": '{"order_id": "A-17"}'}}
    gateway.provider.responder = lambda body: Reply(content=None, tool_calls=[call])
    client = gateway.client()
    first = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "order A-17?"}], tools=[WEATHER_TOOL]
    )
    tool_call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert json.loads(tool_call.function.arguments) == {"order_id": "A-17"}
    assert gateway.provider.received[-1]["tools"][0]["function"]["name"] == "get_order"

    gateway.provider.responder = lambda body: Reply(content="It ships tomorrow.")
    second = client.chat.completions.create(
        model=MODEL,
        tools=[WEATHER_TOOL],
        messages=[
            {"role": "user", "content": "order A-17?"},
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": tool_call.id, "content": '{"status": "packed"}'},
        ],
    )
    assert second.choices[0].message.content == "It ships tomorrow."
    assert gateway.provider.received[-1]["messages"][2]["role"] == "tool"


def test_streamed_tool_calls(gateway: ProxyHarness) -> None:
    call = {"id": "call_9", "function": {"name": "get_order", "arguments": '{"order_id": "B-2"}'}}
    gateway.provider.responder = lambda body: Reply(content=None, tool_calls=[call], chunk_size=3)
    stream = gateway.client().chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "B-2"}],
        tools=[WEATHER_TOOL],
        stream=True,
    )
    arguments = ""
    for chunk in stream:
        for choice in chunk.choices:
            for tc in choice.delta.tool_calls or []:
                arguments += tc.function.arguments or ""
    assert json.loads(arguments) == {"order_id": "B-2"}


def test_response_format_and_n(gateway: ProxyHarness) -> None:
    gateway.provider.responder = lambda body: Reply(content='{"ok": true}', extra_choices=['{"ok": false}'])
    response = gateway.client().chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "json please"}],
        response_format={"type": "json_object"},
        n=2,
    )
    assert [c.message.content for c in response.choices] == ['{"ok": true}', '{"ok": false}']
    sent = gateway.provider.received[-1]
    assert sent["response_format"] == {"type": "json_object"}
    assert sent["n"] == 2


def test_models_endpoint(gateway: ProxyHarness) -> None:
    models = gateway.client().models.list()
    assert [m.id for m in models.data] == [MODEL]


def test_request_id_header(gateway: ProxyHarness) -> None:
    raw = gateway.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "hi"}]
    )
    assert raw.headers["x-guardrail-request-id"].startswith("req_")
    assert raw.headers["x-guardrail-verdict"] == "allow"


async def test_async_client_streaming(gateway: ProxyHarness) -> None:
    client = gateway.async_client()
    response = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "async hello"}]
    )
    assert response.choices[0].message.content == "You said: async hello"
    stream = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "async stream"}], stream=True
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == "You said: async stream"
    await client.close()


def test_unknown_model_is_openai_404(gateway: ProxyHarness) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        gateway.client().chat.completions.create(
            model="gpt-nope", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.code == "model_not_found"
