from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from guardrail.standin import StandInProvider, echo_responder
from tests.support.harness import ProxyHarness, running_proxy


@pytest.fixture(scope="module")
def gateway(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyHarness]:
    """The proxy with an empty policy directory: a pure gateway."""
    empty: Path = tmp_path_factory.mktemp("no-policies")
    with running_proxy(
        redis_url, policies_dir=empty, config={"upstream": {"timeout_seconds": 2, "max_retries": 0}}
    ) as harness:
        yield harness


@pytest.fixture(autouse=True)
def _fresh_provider(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    for name in ("gateway",):
        if name in request.fixturenames:
            harness: ProxyHarness = request.getfixturevalue(name)
            harness.provider.responder = echo_responder
            harness.provider.reset()


__all__ = ["StandInProvider"]
