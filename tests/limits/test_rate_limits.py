"""Per-app rate limits shared through Redis, and reviewer sign-in limits."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import redis
import yaml

from guardrail.standin import StandInProvider, ThreadedServer
from tests.support.harness import MODEL, ProxyHarness, running_proxy
from tests.support.serve_process import ServeProcess, create_key, wait_out_minute_edge


@pytest.fixture(scope="module")
def two_proxies(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServeProcess, ServeProcess, str, str]]:
    """Two `guardrail serve` processes on one Redis and one key prefix (two
    replicas). The JSON-log test stops the first one to read its output."""
    tmp_path = tmp_path_factory.mktemp("two-proxies")
    provider = StandInProvider()
    prefix = f"gtest:{uuid.uuid4().hex[:8]}:"
    with ThreadedServer(provider.app) as upstream:
        config = tmp_path / "guardrail.yaml"
        config.write_text(yaml.safe_dump({
            "model_list": [{"model_name": MODEL, "litellm_params": {
                "model": "openai/stand-in", "api_base": f"{upstream.url}/v1", "api_key": "sk-x"}}],
            "apps": [{"name": "shop", "rate_limit": {"requests_per_minute": 3}}],
        }), encoding="utf-8")
        policies = tmp_path / "no-policies"
        policies.mkdir()
        servers = [ServeProcess(config, policies, redis_url, prefix) for _ in range(2)]
        try:
            for server in servers:
                server.wait_ready()
            yield servers[0], servers[1], create_key(redis_url, prefix, "shop"), prefix
        finally:
            for server in servers:
                server.stop()


def test_requests_per_minute_shared_by_two_proxy_processes(
    two_proxies: tuple[ServeProcess, ServeProcess, str, str], redis_url: str
) -> None:
    first, second, key, prefix = two_proxies
    wait_out_minute_edge(redis_url)
    clients = [openai.OpenAI(base_url=f"{s.url}/v1", api_key=key, max_retries=0) for s in (first, second)]
    message = [{"role": "user", "content": "hi"}]
    for client in (clients[0], clients[1], clients[0]):
        client.chat.completions.create(model=MODEL, messages=message)
    for client in clients:  # the fourth and fifth of the minute, on either process
        with pytest.raises(openai.RateLimitError) as limited:
            client.chat.completions.create(model=MODEL, messages=message)
        response = limited.value.response
        assert response.status_code == 429
        retry_after = int(response.headers["retry-after"])
        assert 1 <= retry_after <= 60
        error = response.json()["error"]
        assert error["code"] == "rate_limit_exceeded" and error["type"] == "requests"
        assert response.headers["x-guardrail-request-id"]

    # counted in each process's metrics, and in the shared audit log
    for server in (first, second):
        metrics = httpx.get(f"{server.url}/metrics", timeout=5).text
        assert 'guardrail_rate_limited_total{app="shop",limit="requests"} 1.0' in metrics
        assert 'guardrail_requests_total{app="shop",model="none",status="429"} 1.0' in metrics
    client = redis.Redis.from_url(redis_url)
    try:
        entries = client.xrange(f"{prefix}audit:log")
    finally:
        client.close()
    limited_entries = [e for e in entries if b"proxy.rate_limited" in json.dumps(
        {k.decode(): v.decode() for k, v in e[1].items()}).encode()]
    assert len(limited_entries) == 2


def test_json_request_lines_from_guardrail_serve(
    two_proxies: tuple[ServeProcess, ServeProcess, str, str], redis_url: str
) -> None:
    first, _, _, prefix = two_proxies
    key = create_key(redis_url, prefix, "cafe")  # an app without limits
    httpx.post(f"{first.url}/v1/chat/completions", headers={"Authorization": f"Bearer {key}"},
               json={"model": MODEL, "messages": [{"role": "user", "content": "Call Sarah Johnson"}]},
               timeout=30).raise_for_status()
    logs = first.stop()
    # every line the server wrote is a JSON object, uvicorn's own included
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]
    assert any(line.get("logger", "").startswith("uvicorn") for line in lines)
    requests = [line for line in lines if line.get("event") == "request" and line.get("app") == "cafe"]
    assert len(requests) == 1
    assert requests[0]["status"] == 200 and requests[0]["path"] == "/v1/chat/completions"
    assert requests[0]["verdict"] == "allow"
    assert "Sarah" not in logs and "Johnson" not in logs


def test_tokens_per_minute(redis_url: str, tmp_path: Path) -> None:
    # The stand-in reports 20 tokens per answer: the third request of the
    # minute finds 40 used of 30 and is refused.
    config = {"apps": [{"name": "shop", "rate_limit": {"tokens_per_minute": 30}}]}
    wait_out_minute_edge(redis_url)
    with running_proxy(redis_url, policies_dir=tmp_path, config=config) as harness:
        client = harness.client()
        message = [{"role": "user", "content": "hi"}]
        client.chat.completions.create(model=MODEL, messages=message)
        client.chat.completions.create(model=MODEL, messages=message)
        with pytest.raises(openai.RateLimitError) as limited:
            client.chat.completions.create(model=MODEL, messages=message)
        assert limited.value.response.json()["error"]["type"] == "tokens"
        assert int(limited.value.response.headers["retry-after"]) >= 1
        # another app is not affected
        harness.client("other").chat.completions.create(model=MODEL, messages=message)


@pytest.fixture
def signin_limited(redis_url: str, tmp_path: Path) -> Iterator[ProxyHarness]:
    config = {"reviewer_signin_limit": {"failures": 3, "window_seconds": 120}}
    with running_proxy(redis_url, policies_dir=tmp_path, config=config) as harness:
        yield harness


def test_reviewer_api_sign_in_attempts_are_limited(signin_limited: ProxyHarness) -> None:
    token = signin_limited.reviewer("bob")
    url = f"{signin_limited.proxy.url}/review/api/me"
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code == 200
    for _ in range(3):
        wrong = httpx.get(url, headers={"Authorization": "Bearer grr_wrong"}, timeout=5)
        assert wrong.status_code == 401
    limited = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert limited.status_code == 429  # even the right token, until the window ends
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    metrics = httpx.get(f"{signin_limited.proxy.url}/metrics", timeout=5).text
    assert 'guardrail_signin_limited_total{surface="review_api"} 1.0' in metrics


def test_review_page_sign_in_attempts_are_limited(signin_limited: ProxyHarness) -> None:
    token = signin_limited.reviewer("carol")
    with httpx.Client(base_url=signin_limited.proxy.url, timeout=5) as browser:

        def sign_in(name: str, secret: str) -> httpx.Response:
            page = browser.get("/review/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf, "no CSRF token on the sign-in page"
            return browser.post("/review/login", data={"name": name, "token": secret,
                                                       "csrf": csrf.group(1)})

        assert [sign_in("carol", "guess").status_code for _ in range(3)] == [401, 401, 401]
        limited = sign_in("carol", token)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
