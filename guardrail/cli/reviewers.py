"""`guardrail reviewers add|list|remove`: reviewer credentials (not app keys)."""

from __future__ import annotations

import json

import click

from guardrail.cli.review import Services, run
from guardrail.review.reviewers import Reviewer, ReviewerExists, Role


@click.group("reviewers")
def reviewers_group() -> None:
    """Manage who may review held answers."""


@reviewers_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="reviewer",
              show_default=True)
@click.option("--can-reveal", is_flag=True, help="May see the real personal data of an item.")
def add_cmd(name: str, role: str, can_reveal: bool) -> None:
    """Create a reviewer and print their token (shown only this once)."""

    async def work(s: Services) -> tuple[Reviewer, str]:
        reviewer, token = await s.reviewers.add(name, Role(role), can_reveal=can_reveal)
        await s.audit.record("reviewer.added", reviewer=name, role=role, can_reveal=can_reveal)
        return reviewer, token

    try:
        reviewer, token = run(work)
    except (ReviewerExists, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {reviewer.role} {reviewer.name}"
               + (" (can reveal)" if reviewer.can_reveal else ""))
    click.echo(f"token: {token}")
    click.echo("Store it now: it cannot be shown again. Use it as a Bearer token, or as the "
               "password with the reviewer name.", err=True)


@reviewers_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(as_json: bool) -> None:
    async def work(s: Services) -> list[Reviewer]:
        return await s.reviewers.list()

    for reviewer in run(work):
        if as_json:
            click.echo(json.dumps(reviewer.to_dict()))
        else:
            click.echo(f"{reviewer.name}  {reviewer.role}"
                       + ("  can-reveal" if reviewer.can_reveal else ""))


@reviewers_group.command("remove")
@click.argument("name")
def remove_cmd(name: str) -> None:
    async def work(s: Services) -> bool:
        removed = await s.reviewers.remove(name)
        if removed:
            await s.audit.record("reviewer.removed", reviewer=name)
        return removed

    if not run(work):
        raise click.ClickException(f"no reviewer named {name}")
    click.echo(f"removed {name}")
