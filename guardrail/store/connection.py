"""Open the Redis the settings name, or the embedded one when they name none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis

from guardrail.store.embedded import EmbeddedRedis


@dataclass
class RedisHandle:
    client: aioredis.Redis
    embedded: EmbeddedRedis | None

    async def close(self) -> None:
        await self.client.aclose()
        if self.embedded is not None:
            self.embedded.stop()


def open_redis(url: str | None, data_dir: Path) -> RedisHandle:
    embedded = None
    if not url:
        embedded = EmbeddedRedis(data_dir / "redis")
        url = embedded.start()
    client = aioredis.Redis.from_url(url, decode_responses=False, health_check_interval=30)
    return RedisHandle(client=client, embedded=embedded)
