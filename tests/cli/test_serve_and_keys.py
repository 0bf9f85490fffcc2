"""`guardrail serve` and `guardrail keys` as a user runs them: real processes,
the embedded Redis, several workers, a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import yaml

from guardrail.standin import StandInProvider, ThreadedServer

GUARDRAIL = [sys.executable, "-m", "guardrail"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def provider() -> Iterator[ThreadedServer]:
    with ThreadedServer(StandInProvider().app) as server:
        yield server


@pytest.fixture
def workdir(tmp_path: Path, provider: ThreadedServer) -> Path:
    config = {
        "model_list": [
            {
                "model_name": "support-bot",
                "litellm_params": {
                    "model": "openai/stand-in",
                    "api_base": f"{provider.url}/v1",
                    "api_key": "os.environ/STANDIN_PROVIDER_KEY",
                },
            }
        ]
    }
    (tmp_path / "guardrail.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "policies").mkdir()
    return tmp_path


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUARDRAIL_", "REDIS_URL"))}
    env["STANDIN_PROVIDER_KEY"] = "provider-secret"
    env["GUARDRAIL_DATA_DIR"] = str(workdir / "data")
    return env


def _cli(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GUARDRAIL, *args], cwd=workdir, env=_env(workdir), capture_output=True, text=True, timeout=60
    )


def _serve(workdir: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*GUARDRAIL, "serve", "--port", str(port), "--policies", "policies", *extra],
        cwd=workdir,
        env=_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # Each worker loads the PII models; on a busy 2-core machine that takes a while.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # its workers too, not only the parent
    raise AssertionError("serve did not become ready")


def _stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    os.killpg(process.pid, sig)
    process.wait(timeout=30)


def test_keys_create_list_revoke_with_embedded_redis(workdir: Path) -> None:
    created = _cli(workdir, "keys", "create", "--app", "shop")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("gr-")
    listed = _cli(workdir, "keys", "list")
    assert "shop" in listed.stdout and "active" in listed.stdout
    assert secret not in listed.stdout
    key_id = listed.stdout.splitlines()[1].split()[0]
    assert _cli(workdir, "keys", "revoke", key_id).returncode == 0
    assert "revoked" in _cli(workdir, "keys", "list").stdout
    assert _cli(workdir, "keys", "revoke", "nope").returncode != 0
    assert _cli(workdir, "keys", "create", "--app", "bad name!").returncode != 0


def test_serve_with_workers_embedded_redis_survives_restart(workdir: Path) -> None:
    secret = _cli(workdir, "keys", "create", "--app", "shop").stdout.strip()
    port = _free_port()
    server = _serve(workdir, port, "--workers", "2")
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=secret, max_retries=0)
        for _ in range(4):
            reply = client.chat.completions.create(
                model="support-bot", messages=[{"role": "user", "content": "hello"}]
            )
            assert reply.choices[0].message.content == "You said: hello"
    finally:
        _stop(server)
    assert not (workdir / "data" / "redis" / "redis.sock").exists() or not _socket_answers(
        workdir / "data" / "redis" / "redis.sock"
    )
    assert list((workdir / "data" / "redis").glob("appendonly*"))

    # The key (stored in the embedded Redis' append-only file) survives a restart.
    server = _serve(workdir, port)
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=secret, max_retries=0)
        assert client.models.list().data[0].id == "support-bot"
    finally:
        _stop(server)


def test_serve_rejects_a_broken_config(workdir: Path) -> None:
    (workdir / "guardrail.yaml").write_text("model_list:\n  - model_name: x\n    litellm_params: {}\n")
    result = _cli(workdir, "serve", "--port", str(_free_port()))
    assert result.returncode != 0
    assert "model_list.0.litellm_params" in result.stderr


def _socket_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(str(path))
            return True
        except OSError:
            return False


@pytest.mark.parametrize(
    ("sig", "whole_group"),
    [(signal.SIGTERM, False), (signal.SIGINT, True)],
    ids=["kill-pid", "ctrl-c"],
)
def test_stopping_serve_stops_its_embedded_redis_last(workdir: Path, sig: int, whole_group: bool) -> None:
    # `kill PID` reaches serve alone, Ctrl-C in a terminal the whole process
    # group: either way serve shuts the app down while Redis still runs, then
    # stops Redis itself; none is left running.
    socket_path = workdir / "data" / "redis" / "redis.sock"
    server = _serve(workdir, _free_port())
    assert _socket_answers(socket_path)
    if whole_group:
        os.killpg(server.pid, sig)
    else:
        server.send_signal(sig)
    server.wait(timeout=60)
    output = server.stdout.read() if server.stdout else ""
    assert not _socket_answers(socket_path), output
    # Redis was stopped by serve (SIGTERM), not by the terminal's SIGINT.
    redis_log = (workdir / "data" / "redis" / "redis.log").read_text()
    assert "Received SIGTERM" in redis_log
    assert "Received SIGINT" not in redis_log
