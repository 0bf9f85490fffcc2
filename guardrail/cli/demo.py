"""`guardrail demo`: see the product work in one command."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--host", envvar="GUARDRAIL_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="GUARDRAIL_PORT", type=int, default=8080, show_default=True)
@click.option(
    "--data-dir",
    envvar="GUARDRAIL_DEMO_DATA_DIR",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".guardrail-demo"),
    show_default=True,
)
@click.option(
    "--wait/--no-wait",
    envvar="GUARDRAIL_DEMO_WAIT",
    default=True,
    show_default=True,
    help="Keep running for the review page after the examples.",
)
def demo(host: str, port: int, data_dir: Path, wait: bool) -> None:
    """Start the proxy with an embedded Redis, the default policies and a
    scripted stand-in provider, send example conversations, print the review page."""
    # Imported here: the demo pulls in the whole proxy, other commands should not.
    from guardrail.demo.run import run_demo

    run_demo(host=host, port=port, data_dir=data_dir, wait=wait, echo=click.echo)
