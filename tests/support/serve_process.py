"""`guardrail serve` in processes of their own, as an operator runs it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis
import redis.asyncio as aioredis

from guardrail.app_keys import KeyStore

REPO = Path(__file__).resolve().parents[2]
VAULT_KEY = "test-vault-key-0123456789abcdef0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_out_minute_edge(redis_url: str, margin: float = 8.0) -> None:
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


def create_key(redis_url: str, prefix: str, app: str) -> str:
    async def create() -> str:
        client = aioredis.Redis.from_url(redis_url)
        try:
            secret, _ = await KeyStore(client, prefix=prefix).create(app)
            return secret
        finally:
            await client.aclose()

    return asyncio.run(create())


class ServeProcess:
    """`guardrail serve` in a process of its own."""

    def __init__(
        self, config: Path, policies: Path, redis_url: str, prefix: str, *extra_args: str
    ) -> None:
        self.port = free_port()
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
             "--policies", str(policies), "--port", str(self.port), "--log-format", "json", *extra_args],
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

    def log_text(self) -> str:
        """What the process has written to stderr so far."""
        self._log_file.flush()
        return self._log_path.read_text(errors="replace")

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
