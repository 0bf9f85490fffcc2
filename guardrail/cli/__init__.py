"""The `guardrail` command."""

from __future__ import annotations

import click

from guardrail import __version__
from guardrail.cli.keys import keys_group
from guardrail.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardrail")
def main() -> None:
    """guardrail: an OpenAI-compatible proxy that protects personal data,
    enforces brand policies and holds risky answers for human review."""


main.add_command(serve)
main.add_command(keys_group)
