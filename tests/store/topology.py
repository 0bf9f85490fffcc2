"""Real Redis topologies of local processes: a 3-master Cluster, and a primary
with a replica watched by three Sentinels. Free ports on 127.0.0.1 only; every
process is stopped and every directory removed when the context ends."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis

REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")
MISSING = None if REDIS_SERVER and REDIS_CLI else "redis-server and redis-cli are not installed"
_READY_SECONDS = 30.0


def free_port(*, with_bus: bool = False) -> int:
    """A free port; `with_bus`: port + 10000 (the cluster bus) is free too."""
    for _ in range(200):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if not with_bus:
            return port
        if port + 10000 < 65536 and _bindable(port + 10000):
            return port
    raise RuntimeError("no free port pair found")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for(condition, what: str, timeout: float = _READY_SECONDS) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError, OSError):
            if condition():
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} within {timeout:.0f} s")


@dataclass
class Processes:
    root: Path
    running: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    def redis_server(self, port: int, *args: str, config: str | None = None) -> subprocess.Popen[bytes]:
        workdir = self.root / str(port)
        workdir.mkdir()
        command = [str(REDIS_SERVER)]
        if config is not None:
            (workdir / "redis.conf").write_text(config)
            command.append(str(workdir / "redis.conf"))
        command += ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
                    "--save", "", "--daemonize", "no", "--logfile", str(workdir / "log"), *args]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        self.running[port] = process
        _wait_for(lambda: redis.Redis(port=port, socket_timeout=0.5).ping(),
                  f"redis on port {port} did not answer")
        return process

    def kill(self, port: int) -> None:
        process = self.running.pop(port)
        process.kill()
        process.wait()

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


@contextlib.contextmanager
def processes() -> Iterator[Processes]:
    root = Path(tempfile.mkdtemp(prefix="guardrail-redis-"))
    procs = Processes(root)
    try:
        yield procs
    finally:
        procs.stop_all()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def redis_cluster(masters: int = 3) -> Iterator[list[int]]:
    """A Redis Cluster of `masters` masters (no replicas); yields their ports."""
    with processes() as procs:
        ports = []
        for _ in range(masters):
            port = free_port(with_bus=True)
            procs.redis_server(port, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                               "--cluster-node-timeout", "2000", "--appendonly", "no")
            ports.append(port)
        subprocess.run([str(REDIS_CLI), "--cluster", "create",
                        *(f"127.0.0.1:{p}" for p in ports), "--cluster-replicas", "0", "--cluster-yes"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        for port in ports:
            _wait_for(lambda port=port: _cluster_ok(port),
                      f"cluster node {port} did not report cluster_state:ok")
        yield ports


def _cluster_ok(port: int) -> bool:
    info = redis.Redis(port=port, decode_responses=True).execute_command("CLUSTER INFO")
    state = info.get("cluster_state") if isinstance(info, dict) else info
    return "ok" in str(state)


@dataclass
class SentinelSetup:
    procs: Processes
    master_name: str
    primary: int
    replica: int
    sentinels: list[int]

    @property
    def sentinel_addresses(self) -> list[str]:
        return [f"127.0.0.1:{p}" for p in self.sentinels]

    def current_primary(self) -> int:
        for port in self.sentinels:
            with contextlib.suppress(redis.RedisError):
                _host, primary = redis.Redis(port=port, socket_timeout=1).execute_command(
                    "SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.master_name)
                return int(primary)
        raise RuntimeError("no sentinel answered")


@contextlib.contextmanager
def redis_sentinel(master_name: str = "guardrail") -> Iterator[SentinelSetup]:
    """A primary (append-only) and one replica, watched by three sentinels with
    a one-second down-after, so a failover takes a few seconds."""
    with processes() as procs:
        primary, replica = free_port(), free_port()
        persistence = ("--appendonly", "yes", "--appendfsync", "always")
        procs.redis_server(primary, *persistence)
        procs.redis_server(replica, *persistence, "--replicaof", "127.0.0.1", str(primary))
        _wait_for(lambda: redis.Redis(port=replica).info("replication").get("master_link_status")
                  == "up", "the replica did not sync")
        sentinels = []
        for _ in range(3):
            port = free_port()
            config = (f"port {port}\nbind 127.0.0.1\n"
                      f"sentinel monitor {master_name} 127.0.0.1 {primary} 2\n"
                      f"sentinel down-after-milliseconds {master_name} 1000\n"
                      f"sentinel failover-timeout {master_name} 5000\n"
                      f"sentinel parallel-syncs {master_name} 1\n")
            procs.redis_server(port, "--sentinel", config=config)
            sentinels.append(port)
        setup = SentinelSetup(procs, master_name, primary, replica, sentinels)
        # Every sentinel knows the replica and the other sentinels before a test kills anything.
        for port in sentinels:
            _wait_for(lambda port=port: _sentinel_sees(port, master_name, replicas=1, others=2),
                      f"sentinel {port} did not discover the setup")
        yield setup


def _sentinel_sees(port: int, master_name: str, *, replicas: int, others: int) -> bool:
    info = redis.Redis(port=port, decode_responses=True).execute_command(
        "SENTINEL", "MASTER", master_name)
    fields = dict(zip(info[::2], info[1::2], strict=True)) if isinstance(info, list) else info
    return int(fields["num-slaves"]) >= replicas and int(fields["num-other-sentinels"]) >= others
