"""The lean OpenAI-compatible path and the litellm path behave the same:
which models take the lean path, retries, unreachable providers, and the
chunks and completions the pipeline sees."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from guardrail.config import ModelEntry, UpstreamSettings
from guardrail.errors import ApiError
from guardrail.proxy.openai_compatible import lean_target
from guardrail.proxy.upstream import ModelRegistry, Upstream
from guardrail.standin import Reply, StandInProvider, ThreadedServer, echo_responder
from tests.support.harness import MODEL, ProxyHarness, running_proxy

PATHS = ["lean", "litellm"]
BASE = {"model": "openai/stand-in", "api_base": "http://127.0.0.1:1/v1", "api_key": "k"}


@pytest.mark.parametrize(
    ("params", "lean"),
    [
        (BASE, True),
        ({**BASE, "timeout": 5, "num_retries": 1, "organization": "o", "extra_headers": {"X-A": "1"}}, True),
        ({**BASE, "api_key": "os.environ/PROVIDER_KEY"}, True),
        ({**BASE, "model": "openai/gpt-4o"}, False),  # OpenAI's catalogue: litellm rewrites per model
        ({**BASE, "model": "openai/o3-mini"}, False),
        ({**BASE, "model": "anthropic/claude-3-5-sonnet"}, False),
        ({k: v for k, v in BASE.items() if k != "api_base"}, False),
        ({k: v for k, v in BASE.items() if k != "api_key"}, False),
        ({**BASE, "stream_timeout": 3}, False),  # a litellm-only param
        ({**BASE, "rpm": 10}, False),
    ],
)
def test_which_models_take_the_lean_path(params: dict[str, Any], lean: bool) -> None:
    registry = ModelRegistry([ModelEntry(model_name="m", litellm_params=params)])
    assert Upstream(registry, UpstreamSettings()).uses_lean_path("m") is lean
    assert not Upstream(registry, UpstreamSettings(lean_openai_path=False)).uses_lean_path("m")
    if params["model"] == "openai/stand-in" and lean:
        assert lean_target(params) is not None


@pytest.fixture(scope="module", params=PATHS)
def retrying(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ProxyHarness]:
    empty: Path = tmp_path_factory.mktemp("no-policies")
    upstream = {"timeout_seconds": 2, "max_retries": 2, "lean_openai_path": request.param == "lean"}
    with running_proxy(redis_url, policies_dir=empty, config={"upstream": upstream}) as harness:
        yield harness
        harness.provider.responder = echo_responder


def _scripted(statuses: list[int]) -> Any:
    remaining = list(statuses)

    def responder(body: dict[str, Any]) -> Reply:
        if remaining:
            return Reply(status=remaining.pop(0), error_message="provider text")
        return echo_responder(body)

    return responder


def test_transient_failures_are_retried(retrying: ProxyHarness) -> None:
    retrying.provider.reset()
    retrying.provider.responder = _scripted([503, 429])
    response = retrying.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "hello"}]
    )
    assert response.choices[0].message.content == "You said: hello"
    assert len(retrying.provider.received) == 3


def test_retries_stop_after_max_retries(retrying: ProxyHarness) -> None:
    retrying.provider.reset()
    retrying.provider.responder = _scripted([500] * 5)
    with pytest.raises(openai.APIStatusError) as caught:
        retrying.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hello"}], stream=True
        )
    assert caught.value.status_code == 502
    assert len(retrying.provider.received) == 3  # 1 + max_retries


def test_client_errors_are_not_retried(retrying: ProxyHarness) -> None:
    retrying.provider.reset()
    retrying.provider.responder = _scripted([400] * 3)
    with pytest.raises(openai.BadRequestError):
        retrying.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hello"}]
        )
    assert len(retrying.provider.received) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("path", PATHS)
async def test_unreachable_provider_is_502(path: str) -> None:
    params = {**BASE, "api_base": f"http://127.0.0.1:{_closed_port()}/v1"}
    registry = ModelRegistry([ModelEntry(model_name="m", litellm_params=params)])
    upstream = Upstream(registry, UpstreamSettings(max_retries=0, lean_openai_path=path == "lean"))
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    try:
        with pytest.raises(ApiError) as caught:
            await upstream.complete(registry.get("m"), body, body["messages"])
    finally:
        await upstream.aclose()
    assert caught.value.status == 502
    assert caught.value.type == "upstream_error"


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("id", "created")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


async def test_both_paths_give_the_pipeline_the_same_chunks() -> None:
    """Streamed chunks are what the checks and the restorer read: same dicts
    on both paths (ids and timestamps aside; litellm adds `type` to
    tool-call deltas, which the pipeline ignores)."""
    provider = StandInProvider(lambda body: Reply(content="Your parcel ships today.", chunk_size=5))
    with ThreadedServer(provider.app) as server:
        params = {**BASE, "api_base": f"{server.url}/v1"}
        registry = ModelRegistry([ModelEntry(model_name="pub", litellm_params=params)])
        body = {"model": "pub", "messages": [{"role": "user", "content": "hi"}], "temperature": None}
        seen: dict[bool, Any] = {}
        for lean in (True, False):
            upstream = Upstream(registry, UpstreamSettings(lean_openai_path=lean, max_retries=0))
            try:
                model = registry.get("pub")
                chunks = [c async for c in await upstream.stream(model, body, body["messages"])]
                completion = await upstream.complete(model, body, body["messages"])
            finally:
                await upstream.aclose()
            seen[lean] = (_without_ids(chunks), completion)
    assert seen[True][0] == seen[False][0]
    lean_completion, litellm_completion = seen[True][1], seen[False][1]
    assert lean_completion["model"] == litellm_completion["model"] == "pub"
    assert lean_completion["choices"][0]["message"]["content"] == "Your parcel ships today."
    assert lean_completion["usage"] == litellm_completion["usage"]
    # The provider saw the same request from both paths (null fields dropped).
    assert provider.received[-4] == provider.received[-2]  # streamed
    assert provider.received[-3] == provider.received[-1]


def test_app_cannot_redirect_the_provider_key_through_litellm_arguments(
    redis_url: str, tmp_path: Path
) -> None:
    attacker = StandInProvider(lambda body: Reply(content="stolen"))
    with (
        ThreadedServer(attacker.app) as evil,
        running_proxy(redis_url, policies_dir=tmp_path, lean=False) as harness,
    ):
        reply = harness.client().chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "hello"}],
            extra_body={
                "api_base": f"{evil.url}/v1",
                "base_url": f"{evil.url}/v1",
                "api_key": "attacker-key",
                "mock_response": "mocked",
                "custom_llm_provider": "openai",
                "temperature": 0.2,
            },
        )
    assert reply.choices[0].message.content == "You said: hello"
    assert attacker.received == []
    sent = harness.provider.received[-1]
    assert sent["temperature"] == 0.2
    assert "mock_response" not in sent and "api_key" not in sent
