"""`guardrail audit verify|export`: check and copy the tamper-evident log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guardrail.audit import VerifyResult, verify_export
from guardrail.cli.review import Services, run


@click.group("audit")
def audit_group() -> None:
    """The audit log of every decision and reviewer action."""


@audit_group.command("verify")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Verify an exported JSONL file instead of the live log.")
def verify_cmd(path: Path | None) -> None:
    """Check the hash chain; exit 1 at the first broken entry."""
    if path is not None:
        with path.open(encoding="utf-8") as fp:
            result = verify_export(fp)
    else:
        async def work(s: Services) -> VerifyResult:
            return await s.audit.verify()

        result = run(work)
    if result.ok:
        click.echo(f"ok: {result.entries} entries, chain intact")
        return
    click.echo(f"BROKEN after {result.entries} good entries at {result.first_bad}: "
               f"{result.reason}", err=True)
    sys.exit(1)


@audit_group.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of standard output.")
def export_cmd(output: Path | None) -> None:
    """Write every entry as JSON lines (verifiable later with `verify --file`)."""

    async def work(s: Services) -> int:
        if output is None:
            return await s.audit.export(sys.stdout)
        with output.open("w", encoding="utf-8") as fp:
            return await s.audit.export(fp)

    count = run(work)
    if output is not None:
        click.echo(f"wrote {count} entries to {output}")
