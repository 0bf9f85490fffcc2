"""`guardrail serve`: run the proxy with uvicorn."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import click
import uvicorn

from guardrail.cli.options import config_option, data_dir_option, redis_url_option
from guardrail.config import ConfigError, Settings, resolve_env_references
from guardrail.observability.request_log import LOG_FORMATS, logging_config
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
@click.option(
    "--graceful-timeout",
    envvar="GUARDRAIL_GRACEFUL_TIMEOUT",
    type=click.IntRange(0, 3600),
    default=30,
    show_default=True,
    help="Seconds open requests get to finish after SIGTERM before their connections close "
    "(requests waiting for a review are answered at once with their hold id).",
)
@click.option("--log-level", envvar="GUARDRAIL_LOG_LEVEL", default="info", show_default=True)
@click.option(
    "--log-format",
    envvar="GUARDRAIL_LOG_FORMAT",
    type=click.Choice(LOG_FORMATS),
    default="text",
    show_default=True,
    help="Log lines as plain text or one JSON object per line (one per request).",
)
def serve(
    config_path: Path | None,
    policies_dir: Path | None,
    host: str,
    port: int,
    workers: int,
    redis_url: str | None,
    redis_cluster: bool,
    data_dir: Path,
    graceful_timeout: int,
    log_level: str,
    log_format: str,
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
    metrics_dir = prepare_multiprocess_metrics(workers, data_dir)
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
        "GUARDRAIL_LOG_FORMAT": log_format,
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
    }
    os.environ.update({k: v for k, v in env.items() if v is not None})
    metrics_server = parent_metrics_server(settings, host) if metrics_dir else None
    # The proxies trusted with X-Forwarded-For/-Proto (else uvicorn's default:
    # FORWARDED_ALLOW_IPS, or 127.0.0.1).
    forwarded: dict[str, str] = {}
    if settings.trusted_proxies:
        forwarded["forwarded_allow_ips"] = ",".join(settings.trusted_proxies)
    _exit_through_cleanup_on_sigterm()
    try:
        uvicorn.run(
            "guardrail.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            log_config=logging_config(log_format, log_level),
            access_log=False,
            timeout_graceful_shutdown=graceful_timeout,
            **forwarded,  # type: ignore[arg-type]
        )
    finally:
        if metrics_server is not None:
            metrics_server.stop()
        if embedded is not None:
            embedded.stop()


def prepare_multiprocess_metrics(workers: int, data_dir: Path) -> str | None:
    """Several workers share their metrics through files in one directory
    (prometheus_client's multiprocess mode). Emptied at start: files of a
    previous run would add its counts to this one's."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if workers <= 1 and not configured:
        return None
    directory = Path(configured) if configured else data_dir / "metrics"
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    return str(directory)


def parent_metrics_server(settings: Settings, host: str) -> Any:
    """Under several workers a metrics port of its own is served once, here,
    from every worker's files; the proxy's own port answers /metrics itself."""
    metrics_settings = settings.file.observability.metrics
    if not (metrics_settings.enabled and metrics_settings.port):
        return None
    from guardrail.observability.endpoint import MetricsServer  # only when a port is set
    from guardrail.observability.metrics import Metrics

    token = resolve_env_references(metrics_settings.bearer_token)
    return MetricsServer(Metrics(), host=host, port=metrics_settings.port, token=token).start()


def _exit_through_cleanup_on_sigterm() -> None:
    """After its graceful shutdown, uvicorn raises the SIGTERM it caught again
    under the handler that was there before it. The default handler ends the
    process on the spot, skipping the clean-up after `uvicorn.run` (the
    embedded Redis would be left running); this one exits with SIGTERM's
    usual status through it."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
