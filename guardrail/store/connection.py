"""Open the Redis the settings name: one server, a Cluster, a Sentinel-watched
primary, or the embedded server when they name none.

The pool is bounded and waits: when every connection is busy, a command
waits up to `redis_pool_timeout_seconds` for one instead of failing at once.
Waiting holds do not take a connection each: they share a few blocking
reads (see `guardrail/review/waiting.py`), made through a second client with
a pool of their own so they never hold connections other requests need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool

from guardrail.config import Settings
from guardrail.store.embedded import EmbeddedRedis

SENTINEL_SCHEME = "redis+sentinel"
_HEALTH_CHECK_SECONDS = 30


@dataclass
class RedisHandle:
    client: aioredis.Redis
    embedded: EmbeddedRedis | None
    # Its own small pool for the blocking reads of waiting holds (see
    # review/waiting.py), so they can never take the connections that every
    # other request needs.
    waits: aioredis.Redis | None = None

    @property
    def wait_client(self) -> aioredis.Redis:
        return self.waits if self.waits is not None else self.client

    async def close(self) -> None:
        await self.client.aclose()
        if self.waits is not None:
            await self.waits.aclose()
        if self.embedded is not None:
            self.embedded.stop()


def open_redis(settings: Settings, *, wait_connections: int = 0) -> RedisHandle:
    """The client for `settings`; `wait_connections` > 0 adds a second client
    with that many connections for blocking reads."""
    url = settings.redis_url
    sentinels = list(settings.redis_sentinels)
    master = settings.redis_sentinel_master
    if url and urlsplit(url).scheme == SENTINEL_SCHEME:
        sentinels, master, url = _parse_sentinel_url(url)
    embedded = None
    if not url and not sentinels:
        embedded = EmbeddedRedis(settings.data_dir / "redis")
        url = embedded.start()

    def connect(max_connections: int) -> aioredis.Redis:
        if sentinels:
            return _sentinel_client(settings, sentinels, master, url, max_connections)
        if settings.redis_cluster:
            # RedisCluster keeps a pool per node and learns the others from this one.
            cluster: Any = RedisCluster.from_url(
                url, decode_responses=False, max_connections=max_connections,
                health_check_interval=_HEALTH_CHECK_SECONDS,
            )
            return cluster  # type: ignore[no-any-return]
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=settings.redis_pool_timeout_seconds,
            health_check_interval=_HEALTH_CHECK_SECONDS,
        )
        return aioredis.Redis(connection_pool=pool, decode_responses=False)

    waits = connect(wait_connections) if wait_connections > 0 else None
    return RedisHandle(connect(settings.redis_max_connections), embedded, waits)


class _BlockingSentinelPool(SentinelConnectionPool, aioredis.BlockingConnectionPool):
    """Sentinel's pool (it asks the sentinels where the primary is) that waits
    for a free connection like BlockingConnectionPool instead of failing."""


def _sentinel_client(settings: Settings, sentinels: list[str], master: str,
                     url: str | None, max_connections: int) -> aioredis.Redis:
    addresses = [_host_port(item) for item in sentinels]
    db, password = 0, None
    if url:  # a redis:// URL alongside the sentinels gives the database and password
        parts = urlsplit(url)
        db = int(parts.path.strip("/") or 0)
        password = unquote(parts.password) if parts.password else None
    manager = Sentinel(addresses, socket_timeout=1.0)
    pool = _BlockingSentinelPool(
        master, manager, max_connections=max_connections,
        timeout=settings.redis_pool_timeout_seconds, db=db, password=password,
        health_check_interval=_HEALTH_CHECK_SECONDS,
    )
    return aioredis.Redis(connection_pool=pool, decode_responses=False)


def _parse_sentinel_url(url: str) -> tuple[list[str], str, str | None]:
    """`redis+sentinel://[:password@]host:port,host:port/master[/db]`."""
    parts = urlsplit(url)
    auth, _, hosts = parts.netloc.rpartition("@")
    path = [p for p in parts.path.split("/") if p]
    if not hosts or not path:
        raise ValueError("a sentinel URL names its sentinels and the primary: "
                         "redis+sentinel://host:port,host:port/mymaster")
    password = auth.partition(":")[2] if auth else ""
    db = path[1] if len(path) > 1 else "0"
    rest = f"redis://:{password}@x/{db}" if password else f"redis://x/{db}"
    return hosts.split(","), path[0], rest


def _host_port(item: str) -> tuple[str, int]:
    host, _, port = item.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"a sentinel is host:port, not {item!r}")
    return host, int(port)
