"""The official openai Python SDK (async), used as an app uses it."""

from __future__ import annotations

import json

import openai
import pydantic
import pytest

from tests.compat.scenarios import (
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


class Answer(pydantic.BaseModel):
    answer: str
    confidence: float


@pytest.fixture
def client(compat_proxy: ProxyHarness, app_key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=compat_proxy.base_url, api_key=app_key, max_retries=0)


async def test_plain_and_streamed(client: openai.AsyncOpenAI) -> None:
    reply = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": GREETING}]
    )
    assert (reply.choices[0].message.content or "").startswith(echo(GREETING))
    assert reply._request_id
    stream = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": GREETING}], stream=True
    )
    text = ""
    async for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    assert text.startswith(echo(GREETING))


async def test_stream_helper_accumulates(client: openai.AsyncOpenAI) -> None:
    """The SDK's `.stream()` helper folds chunks into a final completion."""
    async with client.chat.completions.stream(
        model=MODEL, messages=[{"role": "user", "content": GREETING}]
    ) as stream:
        async for _ in stream:
            pass
        final = await stream.get_final_completion()
    assert (final.choices[0].message.content or "").startswith(echo(GREETING))


async def test_parallel_tool_round_trip(client: openai.AsyncOpenAI) -> None:
    messages: list = [{"role": "user", "content": WEATHER_QUESTION}]
    tools = [WEATHER_TOOL, TIME_TOOL]
    first = await client.chat.completions.create(model=MODEL, messages=messages, tools=tools)
    message = first.choices[0].message
    calls = message.tool_calls or []
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    assert all(json.loads(c.function.arguments) == {"city": WEATHER_QUESTION} for c in calls)
    results = {"get_weather": WEATHER_RESULT, "get_time": TIME_RESULT}
    messages.append(message.model_dump(exclude_none=True))
    messages += [{"role": "tool", "tool_call_id": c.id, "content": results[c.function.name]} for c in calls]
    stream = await client.chat.completions.create(model=MODEL, messages=messages, tools=tools, stream=True)
    text = ""
    async for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    assert text.startswith(f"Tool said: {WEATHER_RESULT}; {TIME_RESULT}")


async def test_n_and_json_modes(client: openai.AsyncOpenAI) -> None:
    two = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": GREETING}], n=2
    )
    assert len(two.choices) == 2
    as_json = await client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": GREETING}],
        response_format={"type": "json_object"},
        n=2,
    )
    for choice in as_json.choices:
        assert_json_answer(choice.message.content or "", GREETING)
    parsed = await client.chat.completions.parse(
        model=MODEL, messages=[{"role": "user", "content": GREETING}], response_format=Answer
    )
    assert parsed.choices[0].message.parsed == Answer(answer=echo(GREETING), confidence=1.5)


async def test_errors(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        await client.chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "hi"}]
        )
    with pytest.raises(openai.BadRequestError):
        await client.chat.completions.create(model=MODEL, messages=[{"role": "bot", "content": "hi"}])
    with pytest.raises(openai.NotFoundError) as unsupported:
        await client.responses.create(model=MODEL, input="hi")
    assert unsupported.value.code == "unsupported_endpoint"


async def test_personal_data_masked_and_restored(
    client: openai.AsyncOpenAI, compat_proxy: ProxyHarness
) -> None:
    person = customer()
    text = personal_message(person)
    reply = await client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": text}])
    assert person["email"] in (reply.choices[0].message.content or "")
    stream = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}], stream=True
    )
    streamed = ""
    async for chunk in stream:
        streamed += chunk.choices[0].delta.content or ""
    assert person["email"] in streamed
    assert_never_sent(compat_proxy, person["email"], person["name"])
