"""The `guardrail` command.

Subcommands are imported when they run, not when the command starts: the
proxy's PII and policy engines (spaCy, Presidio, the Chinese tagger) and litellm take
seconds to load, and `--help`, `keys`, `reviewers`, `review` and `audit`
need none of them.
"""

from __future__ import annotations

import importlib

import click

from guardrail import __version__

# name -> (module, attribute, one-line help shown by `guardrail --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "serve": ("guardrail.cli.serve", "serve", "Run the proxy."),
    "demo": ("guardrail.cli.demo", "demo", "Start the proxy with a stand-in provider and examples."),
    "keys": ("guardrail.cli.keys", "keys_group", "Create, list and revoke app keys."),
    "policy": ("guardrail.cli.policy", "policy_group", "Check and test policy files."),
    "reviewers": ("guardrail.cli.reviewers", "reviewers_group", "Manage who may review held answers."),
    # The queue commands and the learning-loop ones (stats, exports), one group.
    "review": ("guardrail.cli.review_loop", "review_group", "Work the review queue."),
    "audit": ("guardrail.cli.audit", "audit_group", "The audit log of every decision and reviewer action."),
}


class LazyGroup(click.Group):
    """A group whose commands are named up front and imported on use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _ = entry
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The short help comes from COMMANDS, so listing imports nothing.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardrail")
def main() -> None:
    """guardrail: an OpenAI-compatible proxy that protects personal data,
    enforces brand policies and holds risky answers for human review."""
