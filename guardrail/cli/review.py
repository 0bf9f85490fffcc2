"""`guardrail review ...`: work the review queue from a terminal.

Talks to Redis directly (REDIS_URL, GUARDRAIL_REDIS_PREFIX, or the embedded
server under GUARDRAIL_DATA_DIR), acting as the reviewer named by
--reviewer / GUARDRAIL_REVIEWER, who must exist (`guardrail reviewers add`).
Texts are shown de-identified; there is no reveal from the CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.config import ConfigError, Settings
from guardrail.review.labels import DecisionLabel
from guardrail.review.listing import HoldFilter
from guardrail.review.model import (
    Conflict,
    Decision,
    Hold,
    HoldKind,
    HoldStatus,
    Outcome,
    ReviewError,
)
from guardrail.review.queue import ReviewQueue
from guardrail.review.reviewers import ReviewerStore
from guardrail.store import open_redis

T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    redis: aioredis.Redis
    prefix: str
    audit: AuditLog
    queue: ReviewQueue
    reviewers: ReviewerStore


@contextlib.asynccontextmanager
async def connect() -> AsyncIterator[Services]:
    """Redis and the review objects, from the same settings the server uses."""
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    handle = open_redis(settings)
    prefix = settings.shared_prefix
    audit = AuditLog(handle.client, prefix=prefix)
    try:
        yield Services(
            settings=settings, redis=handle.client, prefix=prefix, audit=audit,
            queue=ReviewQueue(handle.client, prefix=prefix, audit=audit,
                              **settings.review.queue_options()),
            reviewers=ReviewerStore(handle.client, prefix=prefix),
        )
    finally:
        await handle.close()


def run(work: Callable[[Services], Awaitable[T]]) -> T:
    """Run one async step with services; review errors become clean CLI errors."""

    async def main() -> T:
        async with connect() as services:
            return await work(services)

    try:
        return asyncio.run(main())
    except Conflict as exc:
        raise _Failure(str(exc), exit_code=3) from None
    except ReviewError as exc:
        raise _Failure(str(exc), exit_code=4 if exc.code == "hold_not_found" else 1) from None


class _Failure(click.ClickException):
    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@click.group("review")
@click.option("--reviewer", envvar="GUARDRAIL_REVIEWER", help="Act as this reviewer.")
@click.pass_context
def review_group(ctx: click.Context, reviewer: str | None) -> None:
    """List, inspect, claim and decide held answers, handoffs and reports."""
    ctx.obj = {"reviewer": reviewer}


def _reviewer(ctx: click.Context) -> str:
    name = (ctx.obj or {}).get("reviewer")
    if not name:
        raise click.UsageError("name the reviewer with --reviewer or GUARDRAIL_REVIEWER")
    return str(name)


async def _check_reviewer(services: Services, name: str) -> None:
    if await services.reviewers.get(name) is None:
        raise click.ClickException(f"no reviewer named {name}; add one with "
                                   "`guardrail reviewers add`")


@review_group.command("list")
@click.option("--app")
@click.option("--kind", type=click.Choice([k.value for k in HoldKind]))
@click.option("--rule")
@click.option("--status", type=click.Choice([s.value for s in HoldStatus]))
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_cmd(app: str | None, kind: str | None, rule: str | None, status: str | None,
             limit: int, as_json: bool) -> None:
    """Open items, newest-risk first (or closed ones with --status)."""
    filters = HoldFilter(app=app, kind=HoldKind(kind) if kind else None, rule=rule,
                         status=HoldStatus(status) if status else None, limit=limit)
    holds = run(lambda s: s.queue.list(filters))
    for hold in holds:
        if as_json:
            click.echo(json.dumps(hold.summary(), ensure_ascii=False))
        else:
            rules = ",".join(hold.rule_ids) or "-"
            left = hold.seconds_left()
            due = f"{left:.0f}s" if left is not None else "-"
            click.echo(f"{hold.id}  {hold.status:<8} {hold.kind:<8} {hold.risk!s:<8} "
                       f"app={hold.app} rules={rules} due={due} v{hold.version}"
                       + (f" claimed_by={hold.claimed_by}" if hold.claimed_by else ""))
    if not holds and not as_json:
        click.echo("(queue is empty)")


@review_group.command("show")
@click.argument("hold_id")
@click.option("--json", "as_json", is_flag=True)
def show_cmd(hold_id: str, as_json: bool) -> None:
    """One item, de-identified, with its findings."""
    hold = run(lambda s: s.queue.get(hold_id))
    if as_json:
        click.echo(json.dumps(hold.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_hold(hold)


def _print_hold(hold: Hold) -> None:
    click.echo(f"{hold.id}  {hold.kind}  {hold.status}  risk={hold.risk}  v{hold.version}")
    click.echo(f"app={hold.app}  policy={hold.policy_version or '-'}")
    for finding in hold.findings:
        click.echo(f"  ! {finding.rule_id} ({finding.severity}): {finding.reason}")
    for message in hold.messages:
        click.echo(f"  [{message.get('role', '?')}] {_content(message.get('content'))}")
    if hold.answer is not None:
        click.echo(f"  [held answer] {hold.answer}")
    for number, suggestion in enumerate(hold.suggestions):
        click.echo(f"  suggestion {number}: {suggestion}")
    if hold.outcome:
        click.echo(f"  outcome: {hold.outcome.decision} by {hold.outcome.reviewer or '-'}: "
                   f"{hold.outcome.text}")
    if hold.decision_label:
        label = DecisionLabel.from_dict(hold.decision_label)
        verdict = {True: "right", False: "wrong", None: "not judged"}[label.rules_right]
        click.echo(f"  label: {label.call}, expected {label.expected or '-'}; "
                   f"the rules were {verdict}")


def _content(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


@review_group.command("claim")
@click.argument("hold_id")
@click.option("--lease", type=float, default=None,
              help="Seconds (default GUARDRAIL_REVIEW_CLAIM_SECONDS, 300).")
@click.pass_context
def claim_cmd(ctx: click.Context, hold_id: str, lease: float | None) -> None:
    """Take an item so nobody else works on it."""
    name = _reviewer(ctx)

    async def work(s: Services) -> Hold:
        await _check_reviewer(s, name)
        return await s.queue.claim(hold_id, name, lease)

    hold = run(work)
    click.echo(f"claimed {hold.id} (version {hold.version}) until {hold.claim_until:.0f}")


def _decide(ctx: click.Context, hold_id: str, decision: Decision, *, text: str | None = None,
            choice: int | None = None, version: int | None, key: str | None,
            slots: dict[str, str] | None = None) -> None:
    name = _reviewer(ctx)

    async def work(s: Services) -> Outcome:
        await _check_reviewer(s, name)
        return await s.queue.decide(hold_id, name, decision, text=text, choice=choice,
                                    expected_version=version, idempotency_key=key, slots=slots)

    outcome = run(work)
    click.echo(f"{outcome.hold_id}: {outcome.decision} by {outcome.reviewer} "
               f"(version {outcome.version})")


_version = click.option("--version", "version", type=int, default=None,
                        help="Fail if the item changed since this version.")
_key = click.option("--idempotency-key", "key", default=None)


@review_group.command("approve")
@click.argument("hold_id")
@_version
@_key
@click.pass_context
def approve_cmd(ctx: click.Context, hold_id: str, version: int | None, key: str | None) -> None:
    """Release the original answer."""
    _decide(ctx, hold_id, Decision.APPROVE, version=version, key=key)


@review_group.command("edit")
@click.argument("hold_id")
@click.option("--text", help="Edited de-identified text (keep the <PLACEHOLDERS>).")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_version
@_key
@click.pass_context
def edit_cmd(ctx: click.Context, hold_id: str, text: str | None, path: Path | None,
             version: int | None, key: str | None) -> None:
    """Release an edited answer."""
    if (text is None) == (path is None):
        raise click.UsageError("give exactly one of --text or --file")
    body = text if text is not None else path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    _decide(ctx, hold_id, Decision.EDIT, text=body, version=version, key=key)


@review_group.command("reject")
@click.argument("hold_id")
@click.option("--text", help="Your own reply instead of the policy's fallback message.")
@_version
@_key
@click.pass_context
def reject_cmd(ctx: click.Context, hold_id: str, text: str | None, version: int | None,
               key: str | None) -> None:
    """Release the fallback message (or your own reply)."""
    _decide(ctx, hold_id, Decision.REJECT, text=text, version=version, key=key)


@review_group.command("pick")
@click.argument("hold_id")
@click.argument("choice", type=int)
@click.option("--slot", "slot_values", multiple=True, metavar="NAME=VALUE",
              help="Fill a {NAME} slot the message still has (repeatable).")
@_version
@_key
@click.pass_context
def pick_cmd(ctx: click.Context, hold_id: str, choice: int, slot_values: tuple[str, ...],
             version: int | None, key: str | None) -> None:
    """Release suggested approved message number CHOICE (see `show`).

    A message with an unfilled {slot} is refused until --slot fills it."""
    slots = {}
    for item in slot_values:
        slot_name, sep, value = item.partition("=")
        if not sep or not slot_name.strip():
            raise click.UsageError(f"--slot wants NAME=VALUE, got {item!r}")
        slots[slot_name.strip()] = value
    _decide(ctx, hold_id, Decision.PICK, choice=choice, version=version, key=key, slots=slots)


@review_group.command("reply")
@click.argument("hold_id")
@click.option("--text", required=True)
@_version
@click.pass_context
def reply_cmd(ctx: click.Context, hold_id: str, text: str, version: int | None) -> None:
    """Answer a handoff or report yourself."""
    _decide(ctx, hold_id, Decision.REPLY, text=text, version=version, key=None)


@review_group.command("close")
@click.argument("hold_id")
@_version
@click.pass_context
def close_cmd(ctx: click.Context, hold_id: str, version: int | None) -> None:
    """Close a handoff or report without sending anything."""
    _decide(ctx, hold_id, Decision.CLOSE, version=version, key=None)
