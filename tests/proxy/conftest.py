from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from guardrail.standin import echo_responder
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy


@pytest.fixture(scope="module", params=["lean", "litellm"])
def gateway(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ProxyHarness]:
    """The proxy with an empty policy directory: a pure gateway, once per
    upstream path (lean httpx client, litellm), which must behave the same."""
    empty: Path = tmp_path_factory.mktemp("no-policies")
    lean = request.param == "lean"
    upstream = {"timeout_seconds": 2, "max_retries": 0, "lean_openai_path": lean}
    with running_proxy(redis_url, policies_dir=empty, config={"upstream": upstream}) as harness:
        assert harness.app.state.services.upstream.uses_lean_path(MODEL) is lean
        yield harness


@pytest.fixture(scope="module")
def guarded(redis_url: str) -> Iterator[ProxyHarness]:
    """The proxy with the shipped policies, in front of the echoing stand-in."""
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES) as harness:
        yield harness


@pytest.fixture(autouse=True)
def _fresh_provider(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    for name in ("gateway", "guarded"):
        if name in request.fixturenames:
            harness: ProxyHarness = request.getfixturevalue(name)
            harness.provider.responder = echo_responder
            harness.provider.reset()
