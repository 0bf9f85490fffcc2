"""Tool use through the whole path: tool results and arguments are
de-identified on the way in, and an answer that repeats the app's own tool
result is not mistaken for another customer's data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from guardrail.standin import Reply, StandInProvider
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
PARIS_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}
APPS = {"default": "shop", "minimal": "internal"}


def weather_model(body: dict[str, Any]) -> Reply:
    """Calls the weather tool, then repeats what the tool said."""
    last = body["messages"][-1]
    if last["role"] == "tool":
        return Reply(content=f"Tool said: {last['content']}")
    return Reply(tool_calls=[PARIS_CALL])


@pytest.fixture(scope="module")
def proxy(redis_url: str) -> Iterator[ProxyHarness]:
    config = {
        "apps": [{"name": "shop", "policy_set": "default"}, {"name": "internal", "policy_set": "minimal"}]
    }
    provider = StandInProvider(weather_model)
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, provider=provider, config=config) as harness:
        yield harness


@pytest.fixture(autouse=True)
def _reset(proxy: ProxyHarness) -> Iterator[None]:
    yield
    proxy.provider.responder = weather_model
    proxy.provider.reset()


def round_trip(tool_result: str) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "What's the weather like in Paris today?"},
        {"role": "assistant", "content": None, "tool_calls": [PARIS_CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": tool_result},
    ]


@pytest.mark.parametrize("policy_set", sorted(APPS))
@pytest.mark.parametrize("stream", [False, True])
def test_an_answer_repeating_the_tool_result_is_released(
    proxy: ProxyHarness, policy_set: str, stream: bool
) -> None:
    client = proxy.client(APPS[policy_set])
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=round_trip("Sunny, 21C"), tools=[WEATHER_TOOL], stream=stream
    )
    if stream:
        text = "".join(c.choices[0].delta.content or "" for c in raw.parse())
    else:
        text = raw.parse().choices[0].message.content or ""
    assert text.startswith("Tool said: Sunny, 21C")
    assert raw.headers["x-guardrail-verdict"] != "block"


def test_foreign_data_beside_the_tool_result_is_still_blocked(proxy: ProxyHarness) -> None:
    proxy.provider.responder = lambda body: Reply(
        content="Tool said: Sunny, 21C. By the way, Michael Thompson"
        " at michael.thompson@example.org asked too."
    )
    reply = proxy.client().chat.completions.create(model=MODEL, messages=round_trip("Sunny, 21C"))
    assert reply.model_extra["guardrail"]["verdict"] == "block"
    assert "michael.thompson" not in (reply.choices[0].message.content or "")


def test_personal_data_in_a_tool_result_is_masked_and_restored(proxy: ProxyHarness) -> None:
    result = "Order 1182 ships to sarah.johnson@example.com on Friday."
    reply = proxy.client().chat.completions.create(model=MODEL, messages=round_trip(result))
    seen = proxy.provider.texts_received()
    assert "sarah.johnson@example.com" not in seen and "<EMAIL_ADDRESS_1>" in seen
    assert (reply.choices[0].message.content or "").startswith(f"Tool said: {result}")


def test_the_tool_call_comes_back_with_its_arguments(proxy: ProxyHarness) -> None:
    reply = proxy.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Weather in Paris?"}], tools=[WEATHER_TOOL]
    )
    (call,) = reply.choices[0].message.tool_calls or []
    assert json.loads(call.function.arguments) == {"city": "Paris"}


def test_a_city_in_tool_arguments_reaches_the_provider_as_written(proxy: ProxyHarness) -> None:
    proxy.client().chat.completions.create(
        model=MODEL, messages=round_trip("Sunny, 21C"), tools=[WEATHER_TOOL]
    )
    sent = proxy.provider.received[-1]["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(sent) == {"city": "Paris"}


def test_a_bare_city_reply_reaches_the_provider_as_written(proxy: ProxyHarness) -> None:
    proxy.provider.responder = lambda body: Reply(content="Noted.")
    messages = [
        {"role": "user", "content": "What's the weather like?"},
        {"role": "assistant", "content": "Which city do you mean?"},
        {"role": "user", "content": "Paris"},
    ]
    proxy.client().chat.completions.create(model=MODEL, messages=messages)
    assert proxy.provider.received[-1]["messages"][-1]["content"] == "Paris"


def test_a_bare_tool_call_does_not_use_up_the_first_answer_disclosure(proxy: ProxyHarness) -> None:
    """The customer never saw the tool call: the answer after it is the first they read."""
    reply = proxy.client().chat.completions.create(model=MODEL, messages=round_trip("Sunny, 21C"))
    assert "AI assistant" in (reply.choices[0].message.content or "")


LOOKUP_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_customer",
        "parameters": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
    },
}


def lookup_model(body: dict[str, Any]) -> Reply:
    """Looks the customer up by the (placeholder) name it was given."""
    last = body["messages"][-1]
    if last["role"] == "tool":
        return Reply(content="Found your account.")
    name = re.search(r"<PERSON_\d+>", str(last["content"]))
    arguments = json.dumps({"name": name.group(0) if name else ""})
    return Reply(
        tool_calls=[
            {
                "id": "call_9",
                "type": "function",
                "function": {"name": "lookup_customer", "arguments": arguments},
            }
        ]
    )


def test_a_restored_value_in_tool_arguments_is_masked_again_next_turn(proxy: ProxyHarness) -> None:
    """The proxy restored the name into the arguments for the app; when the app
    sends that tool call back, the provider must see the placeholder again,
    even where the name alone would not be detected."""
    proxy.provider.responder = lookup_model
    name = "Priya Raghunathan"  # found in a sentence, not on its own
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": f"Hi, my name is {name} and I need help with my order."}
    ]
    client = proxy.client()
    first = client.chat.completions.create(model=MODEL, messages=messages, tools=[LOOKUP_TOOL])
    message = first.choices[0].message
    assert message.tool_calls and json.loads(message.tool_calls[0].function.arguments) == {"name": name}
    messages.append(message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": "Account 1182."})
    client.chat.completions.create(model=MODEL, messages=messages, tools=[LOOKUP_TOOL])
    assert name not in proxy.provider.texts_received()
    sent = proxy.provider.received[-1]["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(sent) == {"name": "<PERSON_1>"}
