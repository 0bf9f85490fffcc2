"""Revealing personal data to reviewers is off unless the app allows it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from guardrail.standin import Reply
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

RUDE = "This is your own fault for entering the wrong address."


@pytest.fixture(scope="module")
def proxy(redis_url: str) -> Iterator[ProxyHarness]:
    config = {"apps": [{"name": "open-shop", "reveal_allowed": True}]}
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config=config) as harness:
        harness.provider.responder = lambda body: Reply(content=RUDE)
        yield harness


def _held(harness: ProxyHarness, app: str) -> str:
    raw = harness.client(app).chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Hi, I'm Dana Whitfield. Where is my parcel?"}],
        extra_headers={"X-Guardrail-Hold-Mode": "async"},
    )
    assert raw.headers["x-guardrail-verdict"] == "hold"
    return raw.headers["x-guardrail-hold-id"]


@pytest.mark.parametrize(("app", "status"), [("shop", 403), ("open-shop", 200)])
def test_reveal_needs_the_app_to_allow_it(proxy: ProxyHarness, app: str, status: int) -> None:
    hold_id = _held(proxy, app)
    response = httpx.post(
        f"{proxy.proxy.url}/review/api/holds/{hold_id}/reveal",
        headers={"Authorization": f"Bearer {proxy.reviewer()}"},  # may reveal
        timeout=10,
    )
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "reveal_not_allowed"
        assert "Dana" not in response.text
