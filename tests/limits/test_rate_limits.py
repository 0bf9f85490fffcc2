"""Per-app rate limits shared through Redis, and reviewer sign-in limits."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import redis
import redis.asyncio as aioredis
import yaml

from guardrail.app_keys import KeyStore
from guardrail.standin import StandInProvider, ThreadedServer
from tests.support.harness import MODEL, ProxyHarness, running_proxy

REPO = Path(__file__).resolve().parents[2]
VAULT_KEY = "test-vault-key-0123456789abcdef0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_out_minute_edge(redis_url: str, margin: float = 8.0) -> None:
    """The window is Redis's clock minute: start a test well inside one, so
    its requests all count against the same window."""
    client = redis.Redis.from_url(redis_url)
    try:
        seconds, micros = client.time()
    finally:
        client.close()
    into = (seconds + micros / 1e6) % 60
    if into > 60 - margin:
        time.sleep(60 - into + 0.5)


def _create_key(redis_url: str, prefix: str, app: str) -> str:
    async def create() -> str:
        client = aioredis.Redis.from_url(redis_url)
        try:
            secret, _ = await KeyStore(client, prefix=prefix).create(app)
            return secret
        finally:
            await client.aclose()

    return asyncio.run(create())


class _Serve:
    """`guardrail serve` in a process of its own."""

    def __init__(self, config: Path, policies: Path, redis_url: str, prefix: str) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "REDIS_URL": redis_url,
            "GUARDRAIL_REDIS_PREFIX": prefix,
            "GUARDRAIL_VAULT_KEYS": VAULT_KEY,
        }
        # A file, not a pipe: a full pipe would stall the server's logging.
        self._log_path = config.parent / f"serve-{self.port}.log"
        self._log_file = self._log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "guardrail", "serve", "--config", str(config),
             "--policies", str(policies), "--port", str(self.port), "--log-format", "json"],
            env=env, cwd=str(config.parent), stdout=subprocess.DEVNULL, stderr=self._log_file,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs: str | None = None

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self._log_path.read_text(errors="replace"))
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("guardrail serve did not become ready")

    def stop(self) -> str:
        """Stop the process (once) and return what it wrote to stderr."""
        if self.logs is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self._log_file.close()
            self.logs = self._log_path.read_text(errors="replace")
        return self.logs


@pytest.fixture(scope="module")
def two_proxies(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[_Serve, _Serve, str, str]]:
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
        servers = [_Serve(config, policies, redis_url, prefix) for _ in range(2)]
        try:
            for server in servers:
                server.wait_ready()
            yield servers[0], servers[1], _create_key(redis_url, prefix, "shop"), prefix
        finally:
            for server in servers:
                server.stop()


def test_requests_per_minute_shared_by_two_proxy_processes(
    two_proxies: tuple[_Serve, _Serve, str, str], redis_url: str
) -> None:
    first, second, key, prefix = two_proxies
    _wait_out_minute_edge(redis_url)
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
    two_proxies: tuple[_Serve, _Serve, str, str], redis_url: str
) -> None:
    first, _, _, prefix = two_proxies
    key = _create_key(redis_url, prefix, "cafe")  # an app without limits
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
    _wait_out_minute_edge(redis_url)
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
