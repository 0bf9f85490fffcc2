"""`guardrail review stats | export-cases | export-dataset`: what reviewers'
decisions teach the policy.

stats           per rule: holds, open, expired, approved as-is, edited,
                rejected, precision ((edited + rejected) / decided), median
                time to a decision
export-cases    decided items as policy cases (`policies/cases/` format), or
                with --as-examples as suggested examples per semantic rule
export-dataset  one JSON line per decision: prompt, model answer, reviewer's
                answer, labels, rule ids, policy version

Everything is de-identified, as stored in the queue.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from guardrail.cli.review import Services, review_group, run
from guardrail.review.exports import (
    Reviewed,
    case_file_text,
    dataset_lines,
    examples_text,
    reviewed_items,
)
from guardrail.review.model import Hold, HoldNotFound
from guardrail.review.stats import LabelLog, ReviewStats, RuleStats, review_stats

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(raw: str) -> float:
    """'90s', '30m', '24h', '7d', '2w' (a bare number is seconds)."""
    match = _DURATION.match(raw)
    if not match:
        raise click.BadParameter(f"{raw!r} is not a duration like 30m, 24h or 7d", param_hint="--since")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _since(raw: str | None) -> float | None:
    return None if raw is None else time.time() - parse_duration(raw)


_since_option = click.option("--since", "since", metavar="DURATION", default=None,
                             help="Only items decided in this window (30m, 24h, 7d).")
_app_option = click.option("--app", default=None, help="Only this app's items.")


@click.command("stats")
@_since_option
@_app_option
@click.option("--json", "as_json", is_flag=True, help="The table as one JSON object.")
def stats_cmd(since: str | None, app: str | None, as_json: bool) -> None:
    """Per rule: what reviewers did with the items it held, and its precision."""
    start = _since(since)
    result = run(lambda s: review_stats(s.queue, since=start, app=app))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_table(result)


def _print_table(result: ReviewStats) -> None:
    header = ("RULE", "HOLDS", "OPEN", "EXPIRED", "APPROVED", "EDITED", "REJECTED", "PRECISION",
              "MEDIAN")
    rows = [header] + [_row(r) for r in result.rules]
    if result.reports.count("holds"):
        rows.append(_row(result.reports))
    if len(rows) == 1:
        click.echo("(no decisions in this window)")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if result.reports.count("holds"):
        click.echo("customer reports: EDITED = a person replied (report upheld), "
                   "APPROVED = closed (answer was fine)")


def _row(stats: RuleStats) -> tuple[str, ...]:
    precision = stats.precision
    median = stats.median_seconds
    name = stats.rule_id + (" (shadow)" if stats.shadow else "")
    return (
        name,
        *(str(stats.count(c)) for c in ("holds", "open", "expired", "approved", "edited", "rejected")),
        "-" if precision is None else f"{precision:.0%}",
        "-" if median is None else _human(median),
    )


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


async def _reviewed(services: Services, *, since: float | None, app: str | None,
                    rule: str | None) -> tuple[list[Reviewed], int]:
    """Labelled items decided in the window, and how many have left Redis."""
    labels = await LabelLog(services.redis, services.queue.keys).read(since=since, app=app, rule=rule)
    ids = list(dict.fromkeys(label.hold_id for label in labels))
    holds = await asyncio.gather(*(_get(services, hold_id) for hold_id in ids))
    found = [h for h in holds if h is not None]
    return reviewed_items(found), len(ids) - len(found)


async def _get(services: Services, hold_id: str) -> Hold | None:
    try:
        return await services.queue.get(hold_id)
    except HoldNotFound:
        return None  # past the queue's retention: only its label is left


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _report_gone(gone: int) -> None:
    if gone:
        click.echo(f"{gone} decided item(s) are past the queue's retention and were left out",
                   err=True)


@click.command("export-cases")
@_since_option
@_app_option
@click.option("--rule", default=None, help="Only items this rule held.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="File to write (put it under <policies>/cases/ to test the policy with it).")
@click.option("--as-examples", is_flag=True,
              help="Write suggested examples per rule ({rule: {breaks, fine}}) instead of cases.")
def export_cases_cmd(since: str | None, app: str | None, rule: str | None, out: Path,
                     as_examples: bool) -> None:
    """Decided items as policy cases: expected verdict = the reviewer's choice."""
    start = _since(since)

    async def work(s: Services) -> tuple[list[Reviewed], int, dict[str, str | None]]:
        items, gone = await _reviewed(s, since=start, app=app, rule=rule)
        sets = {i.hold.app: s.settings.app_config(i.hold.app).policy_set for i in items}
        return items, gone, sets

    items, gone, sets = run(work)
    if as_examples:
        text, count = examples_text(items, rule=rule, generated_at=_now_text())
        what = "example(s)"
    else:
        text, count = case_file_text(items, lambda name: sets.get(name), generated_at=_now_text())
        what = "case(s)"
    _write(out, text)
    _report_gone(gone)
    click.echo(f"wrote {count} {what} to {out}")


@click.command("export-dataset")
@_since_option
@_app_option
@click.option("--rule", default=None, help="Only items this rule held.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="JSON Lines file to write.")
def export_dataset_cmd(since: str | None, app: str | None, rule: str | None, out: Path) -> None:
    """Decisions as JSON lines: prompt, model answer, reviewer's answer, labels."""
    start = _since(since)
    items, gone = run(lambda s: _reviewed(s, since=start, app=app, rule=rule))
    lines: Sequence[str] = list(dataset_lines(items))
    _write(out, "".join(line + "\n" for line in lines))
    _report_gone(gone)
    click.echo(f"wrote {len(lines)} record(s) to {out}")


COMMANDS = (stats_cmd, export_cases_cmd, export_dataset_cmd)
for _command in COMMANDS:
    review_group.add_command(_command)
