"""Where the vault's encryption keys come from.

Configured keys (GUARDRAIL_VAULT_KEYS or `vault_keys` in guardrail.yaml,
newest first) win. Without any, one machine still works out of the box: a
random key is generated once into the data directory (mode 0600). Replicas
that share a Redis must share keys, so they have to configure them.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from guardrail.config import ConfigError, resolve_env_references

logger = logging.getLogger(__name__)

MIN_KEY_CHARS = 32
_KEY_FILE = "vault.key"


def vault_keys(configured: list[str], data_dir: Path) -> list[bytes]:
    if configured:
        keys = [str(resolve_env_references(key)) for key in configured]
        for position, key in enumerate(keys):
            if len(key) < MIN_KEY_CHARS:
                raise ConfigError(
                    f"vault key #{position + 1} is too short: use at least {MIN_KEY_CHARS} "
                    "random characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
                )
        return [key.encode() for key in keys]
    return [_local_key(data_dir)]


def _local_key(data_dir: Path) -> bytes:
    path = data_dir / _KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting together must not write two keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            logger.warning(
                "no vault key configured: generated %s; replicas sharing a Redis "
                "must set GUARDRAIL_VAULT_KEYS instead",
                path,
            )
    # Another worker may have created the file a moment ago and still be writing.
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key.encode()
        time.sleep(0.01)
    raise ConfigError(f"{path} is empty: delete it or set GUARDRAIL_VAULT_KEYS")
