"""Admins manage app keys, reviewers and policy reloads over HTTP; reviewers
cannot; every change is audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, add_reviewer_with_role, running_proxy


@pytest.fixture(scope="module")
def proxy(redis_url: str) -> Iterator[ProxyHarness]:
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES) as harness:
        yield harness


def _admin(proxy: ProxyHarness) -> dict[str, str]:
    token = add_reviewer_with_role(
        proxy.settings.redis_url or "", proxy.settings.redis_prefix, "root", "admin"
    )
    return {"Authorization": f"Bearer {token}"}


def test_reviewers_are_refused(proxy: ProxyHarness) -> None:
    headers = {"Authorization": f"Bearer {proxy.reviewer('plain')}"}
    response = httpx.get(f"{proxy.proxy.url}/review/api/admin/keys", headers=headers)
    assert response.status_code == 403
    assert httpx.get(f"{proxy.proxy.url}/review/api/admin/keys").status_code == 401


def test_key_lifecycle(proxy: ProxyHarness) -> None:
    headers = _admin(proxy)
    base = f"{proxy.proxy.url}/review/api/admin"
    created = httpx.post(f"{base}/keys", json={"app": "kiosk"}, headers=headers)
    assert created.status_code == 201
    key = created.json()["key"]
    listed = httpx.get(f"{base}/keys", headers=headers).json()["data"]
    assert any(k["app"] == "kiosk" for k in listed)
    assert key not in str(listed)

    client = openai.OpenAI(base_url=proxy.base_url, api_key=key, max_retries=0)
    assert client.models.list().data[0].id == MODEL
    assert httpx.delete(f"{base}/keys/{created.json()['id']}", headers=headers).status_code == 200
    with pytest.raises(openai.AuthenticationError):
        client.models.list()
    assert httpx.post(f"{base}/keys", json={"app": "bad name!"}, headers=headers).status_code == 400


def test_reviewer_lifecycle(proxy: ProxyHarness) -> None:
    headers = _admin(proxy)
    base = f"{proxy.proxy.url}/review/api/admin"
    added = httpx.post(f"{base}/reviewers", json={"name": "carol", "can_reveal": False}, headers=headers)
    assert added.status_code == 201
    token = added.json()["token"]
    me = httpx.get(f"{proxy.proxy.url}/review/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["name"] == "carol"
    again = httpx.post(f"{base}/reviewers", json={"name": "carol"}, headers=headers)
    assert again.status_code == 409
    assert httpx.delete(f"{base}/reviewers/carol", headers=headers).status_code == 200
    me = httpx.get(f"{proxy.proxy.url}/review/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


def test_policy_status_and_reload(redis_url: str, tmp_path: Path) -> None:
    (tmp_path / "tone.yaml").write_text(
        "rules:\n  - id: tone.banned\n    type: banned_phrases\n    phrases: [cheap]\n"
    )
    with running_proxy(redis_url, policies_dir=tmp_path) as harness:
        headers = _admin(harness)
        base = f"{harness.proxy.url}/review/api/admin"
        status = httpx.get(f"{base}/policies", headers=headers).json()
        assert status["sets"][0]["rules"] == ["tone.banned"]
        version = status["sets"][0]["version"]
        (tmp_path / "tone.yaml").write_text("rules:\n  - id: tone.banned\n    type: nonsense\n")
        reloaded = httpx.post(f"{base}/policies/reload", headers=headers).json()
        assert reloaded["changed"] is False
        assert reloaded["errors"] and "tone.yaml" in reloaded["errors"][0]
        assert reloaded["sets"][0]["version"] == version  # the last good version stays
