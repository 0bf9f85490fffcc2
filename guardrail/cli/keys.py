"""`guardrail keys create|list|revoke`: app keys."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path

import click

from guardrail.app_keys import KeyStore
from guardrail.cli.options import settings_from, store_options
from guardrail.store import open_redis


def _run(config_path: Path | None, redis_url: str | None, data_dir: Path, action):  # type: ignore[no-untyped-def]
    settings = settings_from(config_path, redis_url, data_dir)
    handle = open_redis(settings)

    async def main():  # type: ignore[no-untyped-def]
        try:
            return await action(KeyStore(handle.client, prefix=settings.shared_prefix))
        finally:
            await handle.close()

    return asyncio.run(main())


@click.group("keys")
def keys_group() -> None:
    """Manage app keys (stored hashed in Redis)."""


@keys_group.command("create")
@click.option("--app", "app_name", required=True, help="The app (tenant) this key belongs to.")
@store_options
def create(app_name: str, config_path: Path | None, redis_url: str | None, data_dir: Path) -> None:
    """Create a key; it is printed once and cannot be shown again."""
    try:
        secret, key = _run(config_path, redis_url, data_dir, lambda store: store.create(app_name))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--app") from None
    click.echo(secret)
    click.echo(
        f"key id {key.key_id} for app '{key.app}' (store the key now; it is not shown again)",
        err=True,
    )


@keys_group.command("list")
@store_options
def list_keys(config_path: Path | None, redis_url: str | None, data_dir: Path) -> None:
    """List keys (ids and apps, never the keys themselves)."""
    keys = _run(config_path, redis_url, data_dir, lambda store: store.list())
    if not keys:
        click.echo("no keys")
        return
    click.echo(f"{'KEY ID':<14}{'APP':<24}{'CREATED (UTC)':<22}STATUS")
    for key in keys:
        created = datetime.datetime.fromtimestamp(key.created, datetime.UTC).strftime(
            "%Y-%m-%d %H:%M:%S"
        )
        status = "revoked" if key.revoked else "active"
        click.echo(f"{key.key_id:<14}{key.app:<24}{created:<22}{status}")


@keys_group.command("revoke")
@click.argument("key_id")
@store_options
def revoke(key_id: str, config_path: Path | None, redis_url: str | None, data_dir: Path) -> None:
    """Revoke a key by its id; calls with it get 401 from then on."""
    if not _run(config_path, redis_url, data_dir, lambda store: store.revoke(key_id)):
        raise click.ClickException(f"no key with id {key_id}")
    click.echo(f"revoked {key_id}")
