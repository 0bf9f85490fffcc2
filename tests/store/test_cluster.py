"""Redis Cluster: a real 3-master cluster of local processes, two proxy
replicas connected to different nodes. A hold parked and waited for through
one replica is decided through the other; every multi-key script and
transaction stays in one slot, and conversation data spreads over the nodes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from guardrail.config import Settings
from guardrail.standin import ThreadedServer
from tests.store import replicas
from tests.store.topology import MISSING, redis_cluster

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


@dataclass
class Deployment:
    ports: list[int]
    a: ThreadedServer
    b: ThreadedServer
    settings: Settings
    key: str
    token: str


@pytest.fixture(scope="module")
def cluster() -> Iterator[Deployment]:
    with redis_cluster() as ports, replicas.stand_in() as upstream:
        prefix = f"gtest:{uuid.uuid4().hex[:8]}:"
        # Each replica is given a different node: any node's URL is enough.
        settings_a, settings_b = (
            replicas.replica_settings(upstream, redis_url=f"redis://127.0.0.1:{port}/0",
                                      redis_cluster=True, redis_prefix=prefix)
            for port in (ports[0], ports[2])
        )
        key, token = replicas.app_key_and_reviewer(settings_a)
        with replicas.replica(settings_a) as a, replicas.replica(settings_b) as b:
            yield Deployment(ports, a, b, settings_a, key, token)


def test_hold_waited_on_one_replica_is_decided_through_the_other(cluster: Deployment) -> None:
    result: dict[str, httpx.Response] = {}
    waiter = threading.Thread(target=lambda: result.update(
        response=replicas.chat(cluster.a, cluster.key, "Hi, I am Dana Whitfield. Where is my parcel?",
                               wait=60, timeout=90)))
    waiter.start()
    (hold_id,) = replicas.wait_for_pending(cluster.b, cluster.token)
    decision = replicas.decide(cluster.b, cluster.token, hold_id, "edit",
                               text="Sorry <PERSON_1>, your parcel ships today.")
    assert decision.status_code == 200, decision.text
    waiter.join(timeout=60)
    response = result["response"]
    assert response.status_code == 200, response.text
    assert response.headers["x-guardrail-hold-id"] == hold_id
    assert response.headers["x-guardrail-decision"] == "edit"
    # Released through replica A, restored from the vault on whichever node holds it.
    assert response.json()["choices"][0]["message"]["content"] == (
        "Sorry Dana Whitfield, your parcel ships today.")
    assert replicas.decide(cluster.a, cluster.token, hold_id, "approve").status_code == 409


def test_async_holds_from_both_replicas_are_listed_and_decided_anywhere(cluster: Deployment) -> None:
    parked = []
    for number, proxy in enumerate([cluster.a, cluster.b, cluster.a, cluster.b]):
        response = replicas.chat(proxy, cluster.key, f"I am customer {number}, my parcel is late.")
        assert response.status_code == 200, response.text
        parked.append(response.headers["x-guardrail-hold-id"])
    listed = set(replicas.pending_holds(cluster.a, cluster.token))
    assert set(parked) <= listed
    for number, hold_id in enumerate(parked):
        decider = cluster.b if number % 2 == 0 else cluster.a
        assert replicas.decide(decider, cluster.token, hold_id, "approve").status_code == 200
    for hold_id in parked:
        status = httpx.get(f"{cluster.a.url}/v1/holds/{hold_id}", timeout=10,
                           headers={"Authorization": f"Bearer {cluster.key}"})
        assert status.json()["status"] == "decided"


def test_shared_keys_share_one_slot_and_conversations_spread(cluster: Deployment) -> None:
    for number in range(12):
        response = replicas.chat(cluster.b, cluster.key,
                                 f"Hello, my email is person{number}@example.com, parcel {number}?")
        assert response.status_code == 200, response.text
    prefix, shared = cluster.settings.redis_prefix, cluster.settings.shared_prefix
    assert shared != prefix and shared.startswith("{")
    keys_by_node: dict[int, list[bytes]] = {}
    for port in cluster.ports:
        node = redis.Redis(port=port)
        keys_by_node[port] = [k for k in node.scan_iter(match=f"{prefix}*", count=1000)]
        keys_by_node[port] += [k for k in node.scan_iter(match=f"{shared}*", count=1000)]
    node = redis.Redis(port=cluster.ports[0])
    shared_slots = {node.execute_command("CLUSTER KEYSLOT", k)
                    for keys in keys_by_node.values() for k in keys if k.startswith(shared.encode())}
    assert len(shared_slots) == 1  # queue, audit, app keys, reviewers: one slot
    vault_nodes = {port for port, keys in keys_by_node.items()
                   if any(k.startswith(f"{prefix}pii:v:".encode()) for k in keys)}
    assert len(vault_nodes) >= 2  # per-conversation data is not pinned to that slot


def test_the_cli_writes_app_keys_the_replicas_accept(cluster: Deployment, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GUARDRAIL_REDIS_CLUSTER": "true",
           "GUARDRAIL_REDIS_PREFIX": cluster.settings.redis_prefix}
    created = subprocess.run(
        [sys.executable, "-m", "guardrail", "keys", "create", "--app", "cli-app",
         "--redis-url", f"redis://127.0.0.1:{cluster.ports[1]}/0"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True)
    (key,) = re.findall(r"gr-[A-Za-z0-9_-]{20,}", created.stdout)
    models = httpx.get(f"{cluster.b.url}/v1/models", headers={"Authorization": f"Bearer {key}"},
                       timeout=10)
    assert models.status_code == 200
