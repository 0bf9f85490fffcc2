"""The litellm SDK as a client of the proxy (an app that routes through
litellm and points one of its models at the proxy)."""

from __future__ import annotations

import json

import pytest

from guardrail.proxy.litellm_setup import litellm
from tests.compat.scenarios import (
    ANSWER_SCHEMA,
    GREETING,
    MODEL,
    TIME_RESULT,
    TIME_TOOL,
    WEATHER_QUESTION,
    WEATHER_RESULT,
    WEATHER_TOOL,
    assert_json_answer,
    assert_never_sent,
    customer,
    echo,
    personal_message,
)
from tests.support.harness import ProxyHarness


@pytest.fixture
def call(compat_proxy: ProxyHarness, app_key: str):
    def complete(**kwargs):
        return litellm.completion(
            model=kwargs.pop("model", f"openai/{MODEL}"),
            api_base=compat_proxy.base_url,
            api_key=kwargs.pop("api_key", app_key),
            num_retries=0,
            **kwargs,
        )

    return complete


def test_plain_and_streamed(call) -> None:
    reply = call(messages=[{"role": "user", "content": GREETING}])
    assert reply.choices[0].message.content.startswith(echo(GREETING))
    text = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in call(messages=[{"role": "user", "content": GREETING}], stream=True)
    )
    assert text.startswith(echo(GREETING))


def test_tool_round_trip(call) -> None:
    messages: list = [{"role": "user", "content": WEATHER_QUESTION}]
    first = call(messages=messages, tools=[WEATHER_TOOL, TIME_TOOL])
    message = first.choices[0].message
    calls = message.tool_calls
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[0].function.arguments) == {"city": WEATHER_QUESTION}
    results = {"get_weather": WEATHER_RESULT, "get_time": TIME_RESULT}
    messages.append(message.model_dump(exclude_none=True))
    messages += [{"role": "tool", "tool_call_id": c.id, "content": results[c.function.name]} for c in calls]
    answer = call(messages=messages, tools=[WEATHER_TOOL, TIME_TOOL])
    assert answer.choices[0].message.content.startswith(f"Tool said: {WEATHER_RESULT}; {TIME_RESULT}")


def test_n_and_json_modes(call) -> None:
    two = call(messages=[{"role": "user", "content": GREETING}], n=2)
    assert len(two.choices) == 2
    as_json = call(messages=[{"role": "user", "content": GREETING}], response_format={"type": "json_object"})
    assert_json_answer(as_json.choices[0].message.content, GREETING)
    schema = call(
        messages=[{"role": "user", "content": GREETING}],
        response_format={"type": "json_schema", "json_schema": ANSWER_SCHEMA},
    )
    assert json.loads(schema.choices[0].message.content) == {"answer": echo(GREETING), "confidence": 1.5}


def test_errors(call) -> None:
    with pytest.raises(litellm.exceptions.NotFoundError):
        call(model="openai/no-such-model", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(litellm.exceptions.AuthenticationError):
        call(api_key="not-a-key", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(litellm.exceptions.BadRequestError):
        call(messages=[{"role": "bot", "content": "hi"}])


def test_personal_data_masked_and_restored(call, compat_proxy: ProxyHarness) -> None:
    person = customer()
    text = personal_message(person)
    assert person["email"] in call(messages=[{"role": "user", "content": text}]).choices[0].message.content
    streamed = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in call(messages=[{"role": "user", "content": text}], stream=True)
    )
    assert person["email"] in streamed
    called = call(messages=[{"role": "user", "content": text}], tools=[WEATHER_TOOL])
    assert json.loads(called.choices[0].message.tool_calls[0].function.arguments) == {"city": text}
    assert_never_sent(compat_proxy, person["email"], person["name"])
