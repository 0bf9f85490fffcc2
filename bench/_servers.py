"""Start benchmark targets as uvicorn processes on free 127.0.0.1 ports.

One process and one worker per server, uvicorn's default loop and HTTP
implementation (what `guardrail serve` uses), access log off. The process's
own CPU time is readable while it runs, so a benchmark can report CPU per
request, which a busy machine disturbs far less than requests per second.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

REPO_ROOT = Path(__file__).resolve().parent.parent
_START_TIMEOUT_SECONDS = 60.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bench_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for child processes: the repo importable, litellm offline."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    env.update(extra or {})
    return env


class ServerProcess:
    """`uvicorn --factory <factory>` in a child process; `url` once started.

    `profile_to` runs the server under cProfile and writes the stats there
    when the server stops (uvicorn exits cleanly on SIGINT).
    """

    def __init__(
        self,
        name: str,
        factory: str,
        *,
        env: dict[str, str] | None = None,
        profile_to: Path | None = None,
    ) -> None:
        self.name = name
        self.factory = factory
        self.port = free_port()
        self._env = bench_env(env)
        self._profile_to = profile_to
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError(f"{self.name} is not running")
        return self._process.pid

    def start(self) -> ServerProcess:
        runner = [sys.executable]
        if self._profile_to is not None:
            runner += ["-m", "cProfile", "-o", str(self._profile_to)]
        args = [
            *runner,
            "-m",
            "uvicorn",
            "--factory",
            self.factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self._process = subprocess.Popen(args, cwd=REPO_ROOT, env=self._env)
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while not self._accepts_connections():
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self._process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start within {_START_TIMEOUT_SECONDS}s")
            time.sleep(0.05)
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        # After the command name: utime and stime are the 12th and 13th fields.
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _accepts_connections(self) -> bool:
        # uvicorn binds only after the app's lifespan startup has finished.
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
