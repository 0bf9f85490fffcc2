"""Options several commands share, each with its env variable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from guardrail.config import Settings

redis_url_option = click.option(
    "--redis-url",
    envvar="REDIS_URL",
    default=None,
    help="Redis to use. Unset: an embedded redis-server under the data directory.",
)
data_dir_option = click.option(
    "--data-dir",
    envvar="GUARDRAIL_DATA_DIR",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".guardrail"),
    show_default=True,
    help="Where the embedded Redis keeps its append-only file.",
)
config_option = click.option(
    "--config",
    "config_path",
    envvar="GUARDRAIL_CONFIG",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="guardrail.yaml (default: ./guardrail.yaml if present).",
)


def store_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --redis-url and --data-dir: what a command needs to reach Redis."""
    return config_option(redis_url_option(data_dir_option(command)))


def settings_from(config_path: Path | None, redis_url: str | None, data_dir: Path) -> Settings:
    return Settings.from_env(config_path=config_path, redis_url=redis_url, data_dir=data_dir)
