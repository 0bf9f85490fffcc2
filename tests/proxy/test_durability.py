"""Losing Redis or the proxy never releases an unreviewed answer and never
loses a hold. Each test runs its own append-only redis-server, so it can be
killed and restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import yaml

from guardrail.standin import Reply, StandInProvider, ThreadedServer
from guardrail.store import EmbeddedRedis
from tests.proxy.test_guarded import RUDE, decide
from tests.support.harness import MODEL, SHIPPED_POLICIES, add_reviewer, running_proxy


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def _kill(server: EmbeddedRedis) -> None:
    os.kill(server.pid or 0, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server.socket_path.exists() and time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.connect(str(server.socket_path))
        except OSError:
            break
        time.sleep(0.05)
    server._process = None  # it is dead; start() may run again


def test_redis_down_when_an_answer_needs_a_hold_fails_closed(own_redis: EmbeddedRedis) -> None:
    provider = StandInProvider(lambda body: Reply(content=RUDE, delay_seconds=1.0))
    with running_proxy(own_redis.url, policies_dir=SHIPPED_POLICIES, provider=provider) as harness:
        client = harness.client(timeout=30)
        threading.Timer(0.5, _kill, args=[own_redis]).start()  # while the provider answers
        with pytest.raises(openai.APIStatusError) as caught:
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
        assert caught.value.status_code == 503
        assert RUDE not in str(caught.value.body)


def test_redis_restart_while_a_request_waits(own_redis: EmbeddedRedis) -> None:
    provider = StandInProvider(lambda body: Reply(content=RUDE))
    with running_proxy(own_redis.url, policies_dir=SHIPPED_POLICIES, provider=provider) as harness:
        key = harness.key()
        token = harness.reviewer()
        threading.Timer(1.0, _kill, args=[own_redis]).start()
        response = httpx.post(
            f"{harness.base_url}/chat/completions",
            json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]},
            headers={"Authorization": f"Bearer {key}", "X-Guardrail-Hold-Wait": "20"},
            timeout=30,
        )
        assert response.status_code == 503
        assert RUDE not in response.text
        hold_id = response.headers["x-guardrail-hold-id"]
        assert response.json()["guardrail"]["hold_id"] == hold_id

        own_redis.start()  # same directory: the append-only file comes back
        status = httpx.get(f"{harness.base_url}/holds/{hold_id}", headers={"Authorization": f"Bearer {key}"})
        assert status.json()["status"] == "pending"
        assert decide(harness, hold_id, "approve", token).status_code == 200
        status = httpx.get(f"{harness.base_url}/holds/{hold_id}", headers={"Authorization": f"Bearer {key}"})
        assert status.json()["status"] == "decided"
        assert RUDE in status.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(workdir: Path, port: int, redis_url: str, *extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARDRAIL_")}
    env.update({"REDIS_URL": redis_url, "GUARDRAIL_DATA_DIR": str(workdir / "data")})
    # The server's log goes to a file, so a failing test can show what the server did.
    with (workdir / "serve.log").open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "guardrail",
                "serve",
                "--port",
                str(port),
                "--policies",
                str(SHIPPED_POLICIES),
                *extra,
            ],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("proxy did not start")


def _write_config(workdir: Path, upstream_url: str) -> None:
    model = {"model": "openai/stand-in", "api_base": f"{upstream_url}/v1", "api_key": "x"}
    config = {"model_list": [{"model_name": MODEL, "litellm_params": model}]}
    (workdir / "guardrail.yaml").write_text(yaml.safe_dump(config))


def _app_key(workdir: Path, redis_url: str) -> str:
    command = [sys.executable, "-m", "guardrail", "keys", "create", "--app", "shop", "--redis-url", redis_url]
    return subprocess.run(command, capture_output=True, text=True, check=True, cwd=workdir).stdout.strip()


def _ask_and_wait(
    port: int, key: str, wait_seconds: int, results: list[httpx.Response | httpx.HTTPError]
) -> None:
    """One chat request that waits up to `wait_seconds` for a review; its
    response, or the error that ended it, goes to `results`."""
    try:
        results.append(
            httpx.post(
                f"http://127.0.0.1:{port}/v1/chat/completions",
                json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]},
                headers={"Authorization": f"Bearer {key}", "X-Guardrail-Hold-Wait": str(wait_seconds)},
                timeout=wait_seconds + 30,
            )
        )
    except httpx.HTTPError as exc:
        results.append(exc)


def _wait_for_exit(process: subprocess.Popen[bytes], log: Path) -> None:
    # Generous: the bound under test is the server's own (graceful timeout 30 s,
    # 10 s per resource), not this machine's speed.
    try:
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        tail = log.read_text(errors="replace")[-4000:]
        message = f"the proxy did not stop within 90 s of SIGTERM; its log ends:\n{tail}"
        raise AssertionError(message) from None


def test_kill_9_the_proxy_while_holds_wait(own_redis: EmbeddedRedis, tmp_path: Path) -> None:
    provider = StandInProvider(lambda body: Reply(content=RUDE))
    with ThreadedServer(provider.app) as upstream:
        _write_config(tmp_path, upstream.url)
        port = _free_port()
        proxy = _serve(tmp_path, port, own_redis.url)
        key = _app_key(tmp_path, own_redis.url)
        results: list[httpx.Response | httpx.HTTPError] = []
        waiters = [
            threading.Thread(target=_ask_and_wait, args=(port, key, 60, results)) for _ in range(3)
        ]
        for waiter in waiters:
            waiter.start()
        time.sleep(3)
        os.killpg(proxy.pid, signal.SIGKILL)
        proxy.wait()
        for waiter in waiters:
            waiter.join(timeout=30)
        assert all(isinstance(r, httpx.HTTPError) for r in results), "an answer escaped before review"

        proxy = _serve(tmp_path, port, own_redis.url)
        try:
            harness_url = f"http://127.0.0.1:{port}"
            token = add_reviewer(own_redis.url, "guardrail:")
            listing = httpx.get(
                f"{harness_url}/review/api/holds",
                params={"status": "pending"},
                headers={"Authorization": f"Bearer {token}"},
            ).json()["data"]
            assert len(listing) == 3
            for item in listing:
                response = httpx.post(
                    f"{harness_url}/review/api/holds/{item['id']}/decision",
                    json={"decision": "reject"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert response.status_code == 200
                status = httpx.get(
                    f"{harness_url}/v1/holds/{item['id']}", headers={"Authorization": f"Bearer {key}"}
                )
                assert status.json()["status"] == "decided"
                assert RUDE not in status.text
        finally:
            os.killpg(proxy.pid, signal.SIGTERM)
            _wait_for_exit(proxy, tmp_path / "serve.log")


def test_sigterm_while_a_request_waits_for_review(own_redis: EmbeddedRedis, tmp_path: Path) -> None:
    # The client would wait five minutes for a reviewer, and the graceful
    # timeout is as long: a stopping proxy answers it at once with the hold
    # id instead, so it can fetch the outcome from another replica later.
    provider = StandInProvider(lambda body: Reply(content=RUDE))
    with ThreadedServer(provider.app) as upstream:
        _write_config(tmp_path, upstream.url)
        port = _free_port()
        proxy = _serve(tmp_path, port, own_redis.url, "--graceful-timeout", "300")
        key = _app_key(tmp_path, own_redis.url)
        results: list[httpx.Response | httpx.HTTPError] = []
        waiter = threading.Thread(target=_ask_and_wait, args=(port, key, 300, results))
        waiter.start()
        deadline = time.monotonic() + 60
        while b"parked hold" not in (tmp_path / "serve.log").read_bytes() and time.monotonic() < deadline:
            time.sleep(0.2)
        os.killpg(proxy.pid, signal.SIGTERM)
        _wait_for_exit(proxy, tmp_path / "serve.log")
        waiter.join(timeout=30)
        [response] = results
        assert isinstance(response, httpx.Response), response
        assert response.status_code == 200
        hold_id = response.headers["x-guardrail-hold-id"]
        assert hold_id.startswith("hold_")
        assert RUDE not in response.text
