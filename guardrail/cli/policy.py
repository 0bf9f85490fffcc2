"""`guardrail policy check|test`: the security team's tools for policy files.

check  validates every file and names the file, line and field of each problem.
test   runs the example cases under <DIR>/cases/ and prints a pass/fail table.
Both exit non-zero on any problem. DIR defaults to $GUARDRAIL_POLICIES, else ./policies.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from guardrail.policy import PolicyStore
    from guardrail.policy.cases import CaseResult

_DIRECTORY = click.argument(
    "directory",
    required=False,
    default="policies",
    envvar="GUARDRAIL_POLICIES",
    type=click.Path(path_type=Path, file_okay=False),
)


@click.group("policy")
def policy_group() -> None:
    """Check and test policy files."""


def _load(directory: Path) -> PolicyStore:
    # Imported here: the policy engine loads the PII stack, which `--help` must not.
    from guardrail.policy import PolicyError, PolicyStore

    store = PolicyStore(directory)
    try:
        store.load()
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {directory}", err=True)
        sys.exit(1)
    return store


@policy_group.command("check")
@_DIRECTORY
def check_command(directory: Path) -> None:
    """Validate the policy files in DIRECTORY."""
    store = _load(directory)
    for name in store.set_names:
        policy = store.get(name)
        if not policy.rules and not policy.files:
            click.echo(f"ok: no policy files in {directory}: gateway mode, no checks")
            continue
        click.echo(
            f"ok: set {name} version {policy.version}: {len(policy.rules)} rules, "
            f"streaming {policy.streaming}, files {', '.join(policy.files)}"
        )


@policy_group.command("test")
@_DIRECTORY
@click.option(
    "--strict",
    is_flag=True,
    envvar="GUARDRAIL_POLICY_TEST_STRICT",
    help="Also fail when an enabled rule has no case that makes it fire.",
)
def test_command(directory: Path, strict: bool) -> None:
    """Run the example cases in DIRECTORY/cases against the policies."""
    from guardrail.policy import PolicyError
    from guardrail.policy.cases import run_cases, uncovered_rules

    store = _load(directory)
    try:
        results = run_cases(store, directory)
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    _table(results)
    failed = [r for r in results if not r.passed]
    missing = uncovered_rules(store, results)
    for rule in missing:
        click.echo(f"{'error' if strict else 'warning'}: no case makes rule {rule} fire")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or not results or (strict and missing):
        sys.exit(1)


def _table(results: list[CaseResult]) -> None:
    rows = [("", "CASE", "SET", "EXPECTED", "GOT", "RULES")]
    for r in results:
        rows.append(
            (
                "PASS" if r.passed else "FAIL",
                r.case.id,
                r.case.set or "(default)",
                str(r.case.expect.action),
                str(r.verdict.action),
                ", ".join(sorted(set(r.verdict.rule_ids))) or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())
    for r in results:
        if not r.passed:
            click.echo(f"FAIL {r.case.id} ({r.file}): {'; '.join(r.failures)}")
