"""Which Redis the settings name, and the prefix of keys that share a slot."""

from __future__ import annotations

import pytest

from guardrail.config import Settings, hash_tagged
from guardrail.store.connection import _parse_sentinel_url


@pytest.mark.parametrize(("prefix", "tagged"), [
    ("guardrail:", "{guardrail}:"),
    ("tenant-a", "{tenant-a}:"),
    ("app:{gr}:", "app:{gr}:"),  # already tagged: kept
    ("odd:{}:", "{odd:{}}:"),  # an empty tag hashes the whole key, so it does not count
])
def test_hash_tagged(prefix: str, tagged: str) -> None:
    assert hash_tagged(prefix) == tagged


def test_shared_prefix_is_tagged_only_on_a_cluster() -> None:
    assert Settings(redis_prefix="gr:").shared_prefix == "gr:"
    assert Settings(redis_prefix="gr:", redis_cluster=True).shared_prefix == "{gr}:"


def test_cluster_and_sentinels_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARDRAIL_REDIS_CLUSTER", "true")
    monkeypatch.setenv("GUARDRAIL_REDIS_SENTINELS", "10.0.0.1:26379, 10.0.0.2:26379")
    monkeypatch.setenv("GUARDRAIL_MAX_WAITING_HOLDS", "250")
    monkeypatch.chdir("/")  # no guardrail.yaml here
    settings = Settings.from_env()
    assert settings.redis_cluster is True
    assert settings.redis_sentinels == ["10.0.0.1:26379", "10.0.0.2:26379"]
    assert settings.max_waiting_holds == 250


def test_sentinel_url() -> None:
    assert _parse_sentinel_url("redis+sentinel://:s3cret@h1:26379,h2:26380/mymaster/2") == (
        ["h1:26379", "h2:26380"], "mymaster", "redis://:s3cret@x/2")
    assert _parse_sentinel_url("redis+sentinel://h1:26379/main") == (["h1:26379"], "main", "redis://x/0")
    with pytest.raises(ValueError, match="names its sentinels"):
        _parse_sentinel_url("redis+sentinel://h1:26379")
