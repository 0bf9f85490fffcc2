"""Redis: the one place guardrail keeps state (keys, vault, holds, audit)."""

from guardrail.store.connection import RedisHandle, open_redis
from guardrail.store.embedded import EmbeddedRedis

__all__ = ["EmbeddedRedis", "RedisHandle", "open_redis"]
