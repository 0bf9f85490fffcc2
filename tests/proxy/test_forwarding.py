"""Both upstream paths forward exactly the same fields: every OpenAI chat
parameter the app sets, the operator's allow-list of extra fields (what an
SDK's `extra_body` adds), and nothing else. Embeddings go through the same
de-identification on both paths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

from guardrail.config import ModelEntry, UpstreamSettings
from guardrail.proxy.forwarding import OPENAI_CHAT_PARAMETERS
from guardrail.proxy.upstream import ModelRegistry, Upstream
from guardrail.standin import StandInProvider, ThreadedServer
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

PATHS = ["lean", "litellm"]
TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
# One value for every OpenAI parameter the stand-in can take.
PARAMETERS: dict[str, Any] = {
    "frequency_penalty": 0.1, "logit_bias": {"1": 1}, "logprobs": True, "top_logprobs": 2,
    "max_completion_tokens": 10, "max_tokens": 10, "metadata": {"order": "1182"}, "n": 1,
    "parallel_tool_calls": True, "presence_penalty": 0.1, "prompt_cache_key": "k",
    "reasoning_effort": "low", "response_format": {"type": "text"}, "safety_identifier": "s",
    "seed": 1, "service_tier": "auto", "stop": ["\n\n"], "store": False, "temperature": 0.5,
    "tool_choice": "auto", "tools": TOOLS, "top_p": 0.9, "user": "customer-7", "verbosity": "low",
}  # fmt: skip
ALLOWED_EXTRA = {"top_k": 5, "repetition_penalty": 1.1}
REFUSED_EXTRA = {"api_base": "http://attacker.invalid", "mock_response": "hi", "custom_field": 1}


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[StandInProvider, str]]:
    stand_in = StandInProvider()
    with ThreadedServer(stand_in.app) as server:
        yield stand_in, f"{server.url}/v1"


async def _sent(
    provider: tuple[StandInProvider, str], path: str, body: dict[str, Any], *, stream: bool
) -> dict:
    stand_in, base = provider
    params = {"model": "openai/stand-in", "api_base": base, "api_key": "k"}
    registry = ModelRegistry([ModelEntry(model_name="m", litellm_params=params)])
    upstream = Upstream(registry, UpstreamSettings(max_retries=0, lean_openai_path=path == "lean"))
    stand_in.reset()
    try:
        if stream:
            async for _ in await upstream.stream(registry.get("m"), body, body["messages"]):
                pass
        else:
            await upstream.complete(registry.get("m"), body, body["messages"])
    finally:
        await upstream.aclose()
    sent: dict = stand_in.received[0]
    return sent


def test_the_parameter_list_covers_the_test() -> None:
    assert set(PARAMETERS) <= OPENAI_CHAT_PARAMETERS


@pytest.mark.parametrize("stream", [False, True])
async def test_both_paths_forward_the_same_fields(
    provider: tuple[StandInProvider, str], stream: bool
) -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        **PARAMETERS,
        **ALLOWED_EXTRA,
        **REFUSED_EXTRA,
        "stream_options": {"include_usage": True},
        "temperature": None,  # null means unset on both paths
    }
    sent = {path: await _sent(provider, path, body, stream=stream) for path in PATHS}
    assert sent["lean"] == sent["litellm"]
    expected = {k: v for k, v in {**PARAMETERS, **ALLOWED_EXTRA}.items() if k != "temperature"}
    if stream:
        expected["stream_options"] = {"include_usage": True}
    for name, value in expected.items():
        assert sent["lean"][name] == value, name
    assert not set(REFUSED_EXTRA) & set(sent["lean"])
    assert "temperature" not in sent["lean"]
    assert "stream_options" in sent["lean"] if stream else "stream_options" not in sent["lean"]


@pytest.fixture(scope="module", params=PATHS)
def protected_proxy(redis_url: str, request: pytest.FixtureRequest) -> Iterator[ProxyHarness]:
    upstream = {"max_retries": 0, "lean_openai_path": request.param == "lean"}
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config={"upstream": upstream}) as harness:
        yield harness


def test_embeddings_are_de_identified(protected_proxy: ProxyHarness) -> None:
    protected_proxy.provider.reset()
    client = protected_proxy.client()
    text = "Refund for Sarah Johnson, sarah.johnson@example.com"
    result = client.embeddings.create(model=MODEL, input=[text, "a plain sentence"], dimensions=4)
    assert [len(d.embedding) for d in result.data] == [4, 4]
    assert result.model == MODEL
    (sent,) = protected_proxy.provider.received
    assert "sarah.johnson@example.com" not in str(sent) and "Sarah Johnson" not in str(sent)
    assert "<EMAIL_ADDRESS_1>" in sent["input"][0] and sent["input"][1] == "a plain sentence"
    assert sent["dimensions"] == 4


def test_token_id_embeddings_are_refused_when_text_must_be_checked(protected_proxy: ProxyHarness) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        protected_proxy.client().embeddings.create(model=MODEL, input=[[1, 2, 3]])
    assert caught.value.param == "input"


def test_embeddings_of_an_unknown_model(protected_proxy: ProxyHarness) -> None:
    with pytest.raises(openai.NotFoundError):
        protected_proxy.client().embeddings.create(model="nope", input="hi")


def test_unsupported_endpoints_name_the_supported_ones(protected_proxy: ProxyHarness) -> None:
    for call in (
        lambda c: c.completions.create(model=MODEL, prompt="hi"),
        lambda c: c.responses.create(model=MODEL, input="hi"),
    ):
        with pytest.raises(openai.NotFoundError) as caught:
            call(protected_proxy.client())
        assert caught.value.code == "unsupported_endpoint"
        assert "POST /v1/chat/completions" in caught.value.message


async def test_both_paths_end_a_stream_with_the_same_usage_chunk(
    provider: tuple[StandInProvider, str],
) -> None:
    _, base = provider
    params = {"model": "openai/stand-in", "api_base": base, "api_key": "k"}
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "stream_options": {"include_usage": True},
    }
    shapes = {}
    for path in PATHS:
        registry = ModelRegistry([ModelEntry(model_name="m", litellm_params=params)])
        upstream = Upstream(registry, UpstreamSettings(max_retries=0, lean_openai_path=path == "lean"))
        try:
            chunks = [c async for c in await upstream.stream(registry.get("m"), body, body["messages"])]
        finally:
            await upstream.aclose()
        shapes[path] = [(len(c.get("choices") or []), "usage" in c) for c in chunks]
    assert shapes["lean"] == shapes["litellm"]
    assert shapes["lean"][-1] == (0, True)
