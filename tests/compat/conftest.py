"""One real proxy for the whole compatibility suite: real Redis, the shipped
policies, the stand-in provider answering as a model would
(`protocol_responder`). Two apps on it: `shop` uses the default policy set
(answers checked whole, disclosure, holds), `internal` the minimal one
(sentence-by-sentence streaming)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guardrail.standin import StandInProvider, protocol_responder
from tests.support.harness import SHIPPED_POLICIES, ProxyHarness, running_proxy

APPS = {"default": "shop", "minimal": "internal"}


@pytest.fixture(scope="session")
def compat_proxy(redis_url: str) -> Iterator[ProxyHarness]:
    provider = StandInProvider(protocol_responder)
    config = {
        "apps": [{"name": "shop", "policy_set": "default"}, {"name": "internal", "policy_set": "minimal"}]
    }
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, provider=provider, config=config) as harness:
        yield harness


@pytest.fixture(params=sorted(APPS), scope="session")
def policy_set(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def app_key(compat_proxy: ProxyHarness, policy_set: str) -> str:
    return compat_proxy.key(APPS[policy_set])
