"""The `guardrail` command."""

from __future__ import annotations

import click

from guardrail import __version__
from guardrail.cli.audit import audit_group
from guardrail.cli.demo import demo
from guardrail.cli.keys import keys_group
from guardrail.cli.policy import policy_group
from guardrail.cli.review import review_group
from guardrail.cli.review_loop import COMMANDS as REVIEW_LOOP_COMMANDS
from guardrail.cli.reviewers import reviewers_group
from guardrail.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardrail")
def main() -> None:
    """guardrail: an OpenAI-compatible proxy that protects personal data,
    enforces brand policies and holds risky answers for human review."""


for command in (serve, demo, keys_group, policy_group, reviewers_group, review_group, audit_group):
    main.add_command(command)
for command in REVIEW_LOOP_COMMANDS:
    review_group.add_command(command)
