"""Per-app request and token limits, counted in Redis so replicas share them.

One hash per app holds the current minute's window (its number, requests,
tokens); one Lua script reads and updates it atomically with Redis's own
clock, so replicas with skewed clocks agree and a Redis Cluster sees one key
(one slot) per call. A fixed one-minute window: `Retry-After` is the time
left in it.

Tokens are counted from the usage the provider reports once an answer is
done, so a request is refused when the app has already used its minute's
tokens (a request in flight is never cut off).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from guardrail.config import RateLimit

WINDOW_SECONDS = 60
# Kept a little past its minute so a late token report still finds it.
_TTL_SECONDS = 2 * WINDOW_SECONDS


def _script(source: str) -> str:
    return source.replace("__WINDOW__", str(WINDOW_SECONDS)).replace("__TTL__", str(_TTL_SECONDS))


# KEYS[1] the app's window hash; ARGV: requests limit, tokens limit (0 = none).
# Returns {allowed (0/1), limit hit ("requests"|"tokens"|""), retry seconds,
#          requests used, tokens used}.
_ACQUIRE = _script("""
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = math.floor(now / __WINDOW__)
local retry = math.max(1, math.ceil((window + 1) * __WINDOW__ - now))
local current = redis.call('HMGET', KEYS[1], 'w', 'r', 't')
local requests, tokens = 0, 0
if tonumber(current[1]) == window then
  requests = tonumber(current[2]) or 0
  tokens = tonumber(current[3]) or 0
end
local rpm, tpm = tonumber(ARGV[1]), tonumber(ARGV[2])
if rpm > 0 and requests >= rpm then return {0, 'requests', retry, requests, tokens} end
if tpm > 0 and tokens >= tpm then return {0, 'tokens', retry, requests, tokens} end
redis.call('HSET', KEYS[1], 'w', window, 'r', requests + 1, 't', tokens)
redis.call('EXPIRE', KEYS[1], __TTL__)
return {1, '', retry, requests + 1, tokens}
""")

# KEYS[1] the app's window hash; ARGV[1] tokens to add to this minute.
_ADD_TOKENS = _script("""
local t = redis.call('TIME')
local window = math.floor((tonumber(t[1]) + tonumber(t[2]) / 1000000) / __WINDOW__)
local current = redis.call('HMGET', KEYS[1], 'w', 'r', 't')
if tonumber(current[1]) == window then
  redis.call('HINCRBY', KEYS[1], 't', tonumber(ARGV[1]))
else
  redis.call('HSET', KEYS[1], 'w', window, 'r', 0, 't', tonumber(ARGV[1]))
end
redis.call('EXPIRE', KEYS[1], __TTL__)
return 1
""")


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    limit: str  # "requests" or "tokens" when refused, "" otherwise
    retry_after_seconds: int
    requests_used: int
    tokens_used: int


class AppRateLimiter:
    def __init__(self, redis: aioredis.Redis, *, prefix: str) -> None:
        self._prefix = prefix
        self._acquire = redis.register_script(_ACQUIRE)
        self._add_tokens = redis.register_script(_ADD_TOKENS)

    def key(self, app: str) -> str:
        return f"{self._prefix}ratelimit:app:{app}"

    async def acquire(self, app: str, limit: RateLimit) -> LimitDecision:
        """Count one request against the app's minute, unless it is over a limit."""
        args = [limit.requests_per_minute or 0, limit.tokens_per_minute or 0]
        allowed, which, retry, requests, tokens = await self._acquire(keys=[self.key(app)], args=args)
        kind = which.decode() if isinstance(which, bytes) else str(which)
        return LimitDecision(bool(allowed), kind, int(retry), int(requests), int(tokens))

    async def add_tokens(self, app: str, tokens: int) -> None:
        if tokens > 0:
            await self._add_tokens(keys=[self.key(app)], args=[tokens])
