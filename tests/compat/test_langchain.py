"""LangChain's `ChatOpenAI` pointed at the proxy: invoke, stream, bind_tools,
with_structured_output, as a LangChain app uses them."""

from __future__ import annotations

import openai
import pydantic
import pytest

from tests.compat.scenarios import (
    GREETING,
    MODEL,
    TIME_RESULT,
    WEATHER_QUESTION,
    WEATHER_RESULT,
    assert_json_answer,
    assert_never_sent,
    customer,
    echo,
    personal_message,
)
from tests.support.harness import ProxyHarness

langchain_openai = pytest.importorskip("langchain_openai")
messages_module = pytest.importorskip("langchain_core.messages")
tools_module = pytest.importorskip("langchain_core.tools")
HumanMessage = messages_module.HumanMessage
ToolMessage = messages_module.ToolMessage


@tools_module.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return WEATHER_RESULT


@tools_module.tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return TIME_RESULT


class Answer(pydantic.BaseModel):
    """An answer and how sure it is."""

    answer: str
    confidence: float


@pytest.fixture
def llm(compat_proxy: ProxyHarness, app_key: str) -> object:
    return langchain_openai.ChatOpenAI(
        model=MODEL, base_url=compat_proxy.base_url, api_key=app_key, max_retries=0, temperature=0
    )


def test_invoke(llm) -> None:
    reply = llm.invoke(GREETING)
    assert reply.content.startswith(echo(GREETING))
    assert reply.response_metadata["finish_reason"] == "stop"


def test_stream(llm) -> None:
    chunks = list(llm.stream(GREETING))
    text = "".join(chunk.content for chunk in chunks)
    assert text.startswith(echo(GREETING))


async def test_astream(llm) -> None:
    text = ""
    async for chunk in llm.astream(GREETING):
        text += chunk.content
    assert text.startswith(echo(GREETING))


def test_bind_tools_round_trip(llm) -> None:
    with_tools = llm.bind_tools([get_weather, get_time])
    history = [HumanMessage(WEATHER_QUESTION)]
    called = with_tools.invoke(history)
    assert [c["name"] for c in called.tool_calls] == ["get_weather", "get_time"]
    assert called.tool_calls[0]["args"] == {"city": WEATHER_QUESTION}
    history.append(called)
    tools = {"get_weather": get_weather, "get_time": get_time}
    for call in called.tool_calls:
        history.append(ToolMessage(tools[call["name"]].invoke(call["args"]), tool_call_id=call["id"]))
    answer = with_tools.invoke(history)
    assert answer.content.startswith(f"Tool said: {WEATHER_RESULT}; {TIME_RESULT}")


def test_bind_tools_streamed(llm) -> None:
    gathered = None
    for chunk in llm.bind_tools([get_weather]).stream(WEATHER_QUESTION):
        gathered = chunk if gathered is None else gathered + chunk
    assert gathered is not None
    assert gathered.tool_calls[0]["args"] == {"city": WEATHER_QUESTION}


class Said(pydantic.BaseModel):
    """The stand-in's JSON mode answer."""

    answer: str


def test_with_structured_output_json_schema(llm) -> None:
    result = llm.with_structured_output(Answer, method="json_schema").invoke(GREETING)
    assert result == Answer(answer=echo(GREETING), confidence=1.5)


def test_with_structured_output_function_calling(llm) -> None:
    # The answer comes back as a tool call; its strings echo the customer.
    result = llm.with_structured_output(Answer, method="function_calling").invoke(GREETING)
    assert result == Answer(answer=GREETING, confidence=1.5)


def test_with_structured_output_json_mode(llm) -> None:
    prompt = f"{GREETING} Answer in JSON."
    result = llm.with_structured_output(Said, method="json_mode").invoke(prompt)
    assert result == Said(answer=echo(prompt))


def test_json_mode_raw(llm) -> None:
    reply = llm.bind(response_format={"type": "json_object"}).invoke(GREETING)
    assert_json_answer(reply.content, GREETING)


def test_n_choices(compat_proxy: ProxyHarness, app_key: str) -> None:
    two = langchain_openai.ChatOpenAI(
        model=MODEL, base_url=compat_proxy.base_url, api_key=app_key, max_retries=0, n=2
    )
    result = two.generate([[HumanMessage(GREETING)]])
    texts = [g.text for g in result.generations[0]]
    assert len(texts) == 2 and texts[1].startswith(f"(2) {echo(GREETING)}")


def test_errors(compat_proxy: ProxyHarness, app_key: str) -> None:
    missing = langchain_openai.ChatOpenAI(
        model="no-such-model", base_url=compat_proxy.base_url, api_key=app_key, max_retries=0
    )
    with pytest.raises(openai.NotFoundError):
        missing.invoke(GREETING)
    bad_key = langchain_openai.ChatOpenAI(
        model=MODEL, base_url=compat_proxy.base_url, api_key="not-a-key", max_retries=0
    )
    with pytest.raises(openai.AuthenticationError):
        bad_key.invoke(GREETING)


def test_personal_data_masked_and_restored(llm, compat_proxy: ProxyHarness) -> None:
    person = customer()
    text = personal_message(person)
    assert person["email"] in llm.invoke(text).content
    assert person["email"] in "".join(c.content for c in llm.stream(text))
    called = llm.bind_tools([get_weather]).invoke(text)
    assert called.tool_calls[0]["args"] == {"city": text}
    assert_never_sent(compat_proxy, person["email"], person["name"])
