"""The tamper-evident decision log: an append-only Redis stream.

Each entry carries the hash of the one before it (see `lua.py`), so editing,
deleting or reordering an entry breaks the chain from that point on, and
truncating the tail disagrees with the head record. Entries hold ids, kinds,
rule ids, versions, reviewer names and times — never personal data;
`record()` refuses field names that suggest text and long strings.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from guardrail.audit.lua import APPEND_SCRIPT

logger = logging.getLogger(__name__)

# Field names that would carry conversation text; a caller passing one is a bug.
_FORBIDDEN_FIELDS = frozenset(
    {"text", "content", "message", "messages", "answer", "prompt", "comment", "value", "values"}
)
_MAX_STRING = 200
_Scalar = str | int | float | bool | None


class AuditUnavailable(Exception):
    """Redis could not be reached; the entry was not written."""


@dataclass(frozen=True, slots=True)
class AuditKeys:
    stream: str
    head: str

    @classmethod
    def for_prefix(cls, prefix: str) -> AuditKeys:
        return cls(stream=f"{prefix}audit:log", head=f"{prefix}audit:head")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    seq: int
    ts: int
    prev: str
    hash: str
    body: str

    @property
    def fields(self) -> dict[str, Any]:
        return json.loads(self.body)

    def expected_hash(self) -> str:
        return entry_hash(self.prev, self.seq, self.ts, self.body)

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "seq": self.seq,
                "ts": self.ts,
                "prev": self.prev,
                "hash": self.hash,
                "body": self.body,
            },
            ensure_ascii=False,
        )


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad: str | None = None  # stream id (or export line) of the first broken entry
    reason: str | None = None


def entry_hash(prev: str, seq: int, ts: int, body: str) -> str:
    return hashlib.sha256(f"{prev}\n{seq}\n{ts}\n{body}".encode()).hexdigest()


def encode_body(event: str, /, **fields: Any) -> str:
    """Canonical JSON for one entry; raises ValueError on anything that could be text."""
    body: dict[str, Any] = {"event": event}
    for name, value in fields.items():
        if name in _FORBIDDEN_FIELDS:
            raise ValueError(f"audit field {name!r} could carry personal data")
        body[name] = _check_value(name, value)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _check_value(name: str, value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_check_scalar(name, item) for item in value]
    return _check_scalar(name, value)


def _check_scalar(name: str, value: Any) -> _Scalar:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) > _MAX_STRING:
            raise ValueError(f"audit field {name!r} is too long for an id")
        return value
    raise ValueError(f"audit field {name!r} must be a scalar, not {type(value).__name__}")


class AuditLog:
    """Append, verify and export the audit stream under `prefix`."""

    def __init__(self, redis: aioredis.Redis, *, prefix: str) -> None:
        self._redis = redis
        self.keys = AuditKeys.for_prefix(prefix)
        self._append = redis.register_script(APPEND_SCRIPT)

    async def record(self, event: str, **fields: Any) -> str:
        """Append one entry; returns its hash."""
        return await self.record_many([(event, fields)])

    async def record_many(self, entries: Iterable[tuple[str, Mapping[str, Any]]]) -> str:
        """Append (event, fields) entries in order, in one atomic script call;
        returns the last one's hash. Nothing is written if a body is refused."""
        entries = list(entries)
        bodies = [encode_body(event, **fields) for event, fields in entries]
        if not bodies:
            return ""
        try:
            result = await self._append(keys=[self.keys.stream, self.keys.head], args=bodies)
        except RedisError as exc:
            events = ",".join(event for event, _ in entries)
            logger.error("audit append failed for events %s: %s", events, type(exc).__name__)
            raise AuditUnavailable("audit log unavailable") from exc
        return _text(result)

    async def entries(self, *, batch: int = 500) -> Any:
        """Every entry, oldest first (an async iterator)."""
        start = "-"
        while True:
            rows = await self._redis.xrange(self.keys.stream, min=start, max="+", count=batch)
            if not rows:
                return
            for stream_id, data in rows:
                yield _entry(_text(stream_id), data)
            last = _text(rows[-1][0])
            start = "(" + last
            if len(rows) < batch:
                return

    async def verify(self) -> VerifyResult:
        head = await self._redis.hgetall(self.keys.head)
        head_hash = _text(head.get(b"hash", b""))
        head_seq = int(head.get(b"seq", 0))
        checker = ChainChecker()
        async for entry in self.entries():
            if not checker.feed(entry.id, entry):
                return checker.result()
        result = checker.result()
        if checker.last_hash != head_hash or checker.last_seq != head_seq:
            return VerifyResult(
                ok=False,
                entries=result.entries,
                first_bad=checker.last_id or "(end)",
                reason="the log ends before the head record: entries were removed from the end",
            )
        return result

    async def export(self, fp: IO[str]) -> int:
        """Write every entry as one JSON line; returns how many."""
        count = 0
        async for entry in self.entries():
            fp.write(entry.to_json() + "\n")
            count += 1
        return count


class ChainChecker:
    """Walks entries in order and stops at the first one that breaks the chain."""

    def __init__(self) -> None:
        self.last_hash = ""
        self.last_seq = 0
        self.last_id: str | None = None
        self.count = 0
        self._bad: tuple[str, str] | None = None

    def feed(self, where: str, entry: AuditEntry) -> bool:
        if entry.seq != self.last_seq + 1:
            self._bad = (where, f"sequence jumps from {self.last_seq} to {entry.seq}")
        elif entry.prev != self.last_hash:
            self._bad = (where, "previous-hash link does not match the entry before it")
        elif entry.expected_hash() != entry.hash:
            self._bad = (where, "entry content does not match its hash")
        if self._bad:
            return False
        self.last_hash, self.last_seq, self.last_id = entry.hash, entry.seq, entry.id
        self.count += 1
        return True

    def result(self) -> VerifyResult:
        if self._bad:
            return VerifyResult(False, self.count, self._bad[0], self._bad[1])
        return VerifyResult(True, self.count)


def verify_export(lines: Iterable[str]) -> VerifyResult:
    """Check an exported JSONL file offline (the chain only, not the head)."""
    checker = ChainChecker()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            entry = AuditEntry(
                id=str(raw["id"]),
                seq=int(raw["seq"]),
                ts=int(raw["ts"]),
                prev=str(raw["prev"]),
                hash=str(raw["hash"]),
                body=str(raw["body"]),
            )
        except (ValueError, KeyError, TypeError):
            return VerifyResult(False, checker.count, f"line {number}", "not a valid entry")
        if not checker.feed(f"line {number}", entry):
            break
    return checker.result()


def _entry(stream_id: str, data: Mapping[bytes, bytes]) -> AuditEntry:
    return AuditEntry(
        id=stream_id,
        seq=int(data.get(b"seq", 0)),
        ts=int(data.get(b"ts", 0)),
        prev=_text(data.get(b"prev", b"")),
        hash=_text(data.get(b"hash", b"")),
        body=_text(data.get(b"body", b"")),
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
