"""The official openai Python SDK (sync), used as an app uses it."""

from __future__ import annotations

import json

import openai
import pydantic
import pytest

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


class Answer(pydantic.BaseModel):
    answer: str
    confidence: float


@pytest.fixture
def client(compat_proxy: ProxyHarness, app_key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=compat_proxy.base_url, api_key=app_key, max_retries=0)


def test_plain(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": GREETING}]
    )
    reply = raw.parse()
    assert (reply.choices[0].message.content or "").startswith(echo(GREETING))
    assert reply._request_id and reply._request_id == raw.headers["X-Guardrail-Request-Id"]
    assert reply.system_fingerprint == "fp_standin"


def test_streamed(client: openai.OpenAI, policy_set: str) -> None:
    text, finals = "", []
    with client.chat.completions.with_streaming_response.create(
        model=MODEL, messages=[{"role": "user", "content": GREETING}], stream=True
    ) as response:
        header = response.headers["X-Guardrail-Verdict"]
        for chunk in response.parse():
            text += chunk.choices[0].delta.content or ""  # the usual loop: no empty choices
            if chunk.model_extra and "guardrail" in chunk.model_extra:
                finals.append(chunk.model_extra["guardrail"])
    assert text.startswith(echo(GREETING))
    assert len(finals) == 1  # the final verdict, on the last chunk
    assert header == ("streaming" if policy_set == "minimal" else finals[0]["verdict"])
    assert finals[0]["verdict"] in ("allow", "modify")


def test_stream_usage_only_when_asked(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": GREETING}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.choices for c in chunks[:-1])
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert all(c.choices[0].finish_reason is None for c in chunks[:-2] if c.choices)


def test_tool_round_trip(client: openai.OpenAI, policy_set: str) -> None:
    messages: list = [{"role": "user", "content": WEATHER_QUESTION}]
    first = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    message = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    (call,) = message.tool_calls or []
    assert json.loads(call.function.arguments) == {"city": WEATHER_QUESTION}
    messages += [
        message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": WEATHER_RESULT},
    ]
    second = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    answer = second.choices[0].message.content or ""
    assert answer.startswith(f"Tool said: {WEATHER_RESULT}")
    # The tool's own result is the conversation's data, not another customer's.
    assert second.model_extra["guardrail"]["verdict"] in ("allow", "modify")


def test_parallel_tools_streamed(client: openai.OpenAI) -> None:
    messages: list = [{"role": "user", "content": WEATHER_QUESTION}]
    stream = client.chat.completions.create(
        model=MODEL, messages=messages, tools=[WEATHER_TOOL, TIME_TOOL], stream=True
    )
    calls: dict[int, dict] = {}
    for chunk in stream:
        for delta in chunk.choices[0].delta.tool_calls or []:
            slot = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            slot["id"] += delta.id or ""
            slot["name"] += (delta.function and delta.function.name) or ""
            slot["arguments"] += (delta.function and delta.function.arguments) or ""
    assert [c["name"] for c in calls.values()] == ["get_weather", "get_time"]
    results = {"get_weather": WEATHER_RESULT, "get_time": TIME_RESULT}
    messages.append(
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"]},
                }
                for c in calls.values()
            ],
        }
    )
    messages += [
        {"role": "tool", "tool_call_id": c["id"], "content": results[c["name"]]} for c in calls.values()
    ]
    final = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL, TIME_TOOL])
    assert (final.choices[0].message.content or "").startswith(f"Tool said: {WEATHER_RESULT}; {TIME_RESULT}")


def test_n_choices(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": GREETING}], n=2)
    assert [c.index for c in reply.choices] == [0, 1]
    assert (reply.choices[1].message.content or "").startswith(f"(2) {echo(GREETING)}")
    stream = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": GREETING}], n=2, stream=True
    )
    texts = ["", ""]
    for chunk in stream:
        texts[chunk.choices[0].index] += chunk.choices[0].delta.content or ""
    assert texts[0].startswith(echo(GREETING)) and texts[1].startswith(f"(2) {echo(GREETING)}")


def test_json_object_is_untouched(client: openai.OpenAI, policy_set: str) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": GREETING}], response_format={"type": "json_object"}
    )
    reply = raw.parse()
    assert_json_answer(reply.choices[0].message.content or "", GREETING)
    if policy_set == "default":
        # The first answer must disclose AI: beside the JSON, for the app to show.
        assert reply.model_extra["guardrail"]["disclosure"]
        assert raw.headers["X-Guardrail-Disclosure"] == "required"
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": GREETING}],
        response_format={"type": "json_object"},
        stream=True,
    )
    assert_json_answer("".join(c.choices[0].delta.content or "" for c in stream), GREETING)


def test_json_schema_parse(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(
        model=MODEL, messages=[{"role": "user", "content": GREETING}], response_format=Answer
    )
    assert completion.choices[0].message.parsed == Answer(answer=echo(GREETING), confidence=1.5)
    raw = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": GREETING}],
        response_format={"type": "json_schema", "json_schema": ANSWER_SCHEMA},
    )
    assert json.loads(raw.choices[0].message.content or "") == {"answer": echo(GREETING), "confidence": 1.5}


def test_errors(client: openai.OpenAI, compat_proxy: ProxyHarness) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    assert missing.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as invalid:
        client.chat.completions.create(model=MODEL, messages=[])
    assert invalid.value.param == "messages"
    bad_key = openai.OpenAI(base_url=compat_proxy.base_url, api_key="not-a-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad_key.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.NotFoundError) as unsupported:
        client.completions.create(model=MODEL, prompt="hi")
    assert "/v1/chat/completions" in str(unsupported.value.message)


def test_personal_data_masked_and_restored(client: openai.OpenAI, compat_proxy: ProxyHarness) -> None:
    person = customer()
    text = personal_message(person)
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": text}])
    assert person["email"] in (reply.choices[0].message.content or "")
    streamed = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}], stream=True
    )
    assert person["email"] in "".join(c.choices[0].delta.content or "" for c in streamed)
    # Restored inside tool arguments and JSON content too.
    called = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}], tools=[WEATHER_TOOL]
    )
    (call,) = called.choices[0].message.tool_calls or []
    assert json.loads(call.function.arguments) == {"city": text}
    as_json = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}], response_format={"type": "json_object"}
    )
    assert_json_answer(as_json.choices[0].message.content or "", text)
    assert_never_sent(compat_proxy, person["email"], person["name"])


def test_embeddings(client: openai.OpenAI, compat_proxy: ProxyHarness) -> None:
    person = customer()
    result = client.embeddings.create(model=MODEL, input=[personal_message(person), GREETING])
    assert [d.index for d in result.data] == [0, 1] and len(result.data[0].embedding) == 8
    assert_never_sent(compat_proxy, person["email"], person["name"])
