"""`guardrail serve`: run the proxy with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import click
import uvicorn

from guardrail.cli.options import config_option, data_dir_option, redis_url_option
from guardrail.config import ConfigError, Settings
from guardrail.store import EmbeddedRedis


@click.command()
@config_option
@click.option(
    "--policies",
    "policies_dir",
    envvar="GUARDRAIL_POLICIES",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Policy directory (default: ./policies). An empty directory means no checks.",
)
@click.option("--host", envvar="GUARDRAIL_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="GUARDRAIL_PORT", type=int, default=8080, show_default=True)
@click.option(
    "--workers",
    envvar="GUARDRAIL_WORKERS",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
)
@redis_url_option
@click.option(
    "--redis-cluster/--no-redis-cluster",
    envvar="GUARDRAIL_REDIS_CLUSTER",
    default=False,
    show_default=True,
    help="REDIS_URL names a node of a Redis Cluster.",
)
@data_dir_option
@click.option("--log-level", envvar="GUARDRAIL_LOG_LEVEL", default="info", show_default=True)
def serve(
    config_path: Path | None,
    policies_dir: Path | None,
    host: str,
    port: int,
    workers: int,
    redis_url: str | None,
    redis_cluster: bool,
    data_dir: Path,
    log_level: str,
) -> None:
    """Run the proxy."""
    try:
        # Validate everything before forking workers, so errors show once, clearly.
        settings = Settings.from_env(config_path=config_path, policies_dir=policies_dir,
                                     redis_url=redis_url, redis_cluster=redis_cluster or None)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if settings.redis_cluster and not settings.redis_url:
        raise click.ClickException("--redis-cluster needs --redis-url (any node of the cluster)")
    embedded = None
    if not settings.redis_url and not settings.redis_sentinels:
        # One embedded server for all workers, owned by this parent process.
        embedded = EmbeddedRedis(data_dir / "redis")
        redis_url = embedded.start()
        click.echo(
            f"embedded redis: {embedded.socket_path} (append-only, data in {embedded.data_dir})"
        )
    # Workers build their settings from the environment (uvicorn's model).
    env = {
        "GUARDRAIL_CONFIG": str(config_path) if config_path else None,
        "GUARDRAIL_POLICIES": str(policies_dir) if policies_dir else None,
        "GUARDRAIL_DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "GUARDRAIL_REDIS_CLUSTER": "true" if settings.redis_cluster else None,
        "GUARDRAIL_LOG_LEVEL": log_level,
    }
    os.environ.update({k: v for k, v in env.items() if v is not None})
    try:
        uvicorn.run(
            "guardrail.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            access_log=False,
        )
    finally:
        if embedded is not None:
            embedded.stop()
