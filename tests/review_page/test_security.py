"""The review page's defences, checked over plain HTTP (no browser needed):
headers, the session cookie, CSRF on sign-in, sessions that end, reveal
permissions, and templates that never mark content safe."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from guardrail.review.reviewers import Role
from guardrail.review.web.render import TEMPLATES_DIR
from tests.review_page.conftest import Site
from tests.review_page.support import add_reviewer, audit_events, with_queue
from tests.support.harness import SHIPPED_POLICIES, running_proxy

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: httpx.Client, name: str, token: str) -> httpx.Response:
    form = client.get("/review/login")
    return client.post("/review/login", data={"name": name, "token": token, "csrf": csrf_of(form)})


@pytest.fixture
def client(site: Site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.harness.proxy.url, timeout=10) as http:
        yield http


def test_pages_carry_a_strict_content_security_policy(client: httpx.Client) -> None:
    for path in ("/review/login", "/review/static/review.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "img-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ):
            assert directive in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert client.get("/review/login").headers["cache-control"] == "no-store"


def test_sign_in_sets_an_httponly_samesite_strict_cookie(site: Site, client: httpx.Client) -> None:
    response = sign_in(client, "alice", site.tokens["alice"])
    assert response.status_code == 303
    assert response.headers["location"] == "/review/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/review" in cookie
    assert client.get("/review/").status_code == 200


def test_sign_in_without_the_csrf_token_is_refused(site: Site, client: httpx.Client) -> None:
    client.get("/review/login")
    response = client.post("/review/login", data={"name": "alice", "token": site.tokens["alice"]})
    assert response.status_code == 403
    assert client.get("/review/").status_code == 303  # still signed out


def test_wrong_token_is_refused(site: Site, client: httpx.Client) -> None:
    response = sign_in(client, "alice", site.tokens["bob"])
    assert response.status_code == 401
    assert "Unknown reviewer name or token." in response.text
    assert client.get("/review/").headers["location"] == "/review/login"


def test_a_forged_session_cookie_is_ignored(site: Site, client: httpx.Client) -> None:
    sign_in(client, "bob", site.tokens["bob"])
    body, mac = client.cookies["guardrail_review"].split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["r"] = "alice"  # claim to be someone else, keep bob's signature
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    client.cookies.set("guardrail_review", f"{forged}.{mac}", path="/review")
    response = client.get("/review/")
    assert response.status_code == 303 and response.headers["location"] == "/review/login"


def test_a_removed_reviewer_s_session_ends(site: Site, client: httpx.Client) -> None:
    token = add_reviewer(site.harness, "carol", Role.REVIEWER, can_reveal=False)
    sign_in(client, "carol", token)
    assert client.get("/review/").status_code == 200
    add_reviewer(site.harness, "carol", Role.REVIEWER, can_reveal=False)  # removed, added again
    assert client.get("/review/").status_code == 303


def test_a_signed_out_session_cannot_be_replayed(site: Site, client: httpx.Client) -> None:
    """Signing out ends the session on the server: a copy of the old cookie
    (a shared computer, a stolen cookie) no longer signs anyone in."""
    sign_in(client, "bob", site.tokens["bob"])
    assert client.get("/review/").status_code == 200
    old_cookie = client.cookies["guardrail_review"]
    page = client.get("/review/")
    assert client.post("/review/logout", data={"csrf": csrf_of(page)}).status_code == 303
    with httpx.Client(base_url=site.harness.proxy.url, timeout=10) as thief:
        thief.cookies.set("guardrail_review", old_cookie, path="/review")
        response = thief.get("/review/")
        assert response.status_code == 303 and response.headers["location"] == "/review/login"


def test_removing_a_reviewer_ends_their_sessions_at_once(site: Site, client: httpx.Client) -> None:
    token = add_reviewer(site.harness, "dave", Role.REVIEWER, can_reveal=False)
    sign_in(client, "dave", token)
    assert client.get("/review/").status_code == 200
    root = add_reviewer(site.harness, "root-admin", Role.ADMIN, can_reveal=False)
    removed = client.delete(
        "/review/api/admin/reviewers/dave", headers={"Authorization": f"Bearer {root}"}
    )
    assert removed.status_code in (200, 204)
    assert client.get("/review/").status_code == 303


@pytest.mark.parametrize(("trusted", "secure"), [(True, True), (False, False)])
def test_the_cookie_is_secure_behind_a_trusted_tls_proxy(
    redis_url: str, trusted: bool, secure: bool
) -> None:
    config = {"trusted_proxies": ["127.0.0.1"] if trusted else []}
    with (
        running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config=config) as harness,
        httpx.Client(base_url=harness.proxy.url, timeout=10) as http,
    ):
        page = http.get("/review/login", headers={"X-Forwarded-Proto": "https"})
        cookie = page.headers["set-cookie"].lower()
        assert ("; secure" in cookie) is secure


def test_the_live_fragment_needs_a_session(site: Site, client: httpx.Client) -> None:
    assert client.get("/review/queue/rows").status_code == 401
    sign_in(client, "bob", site.tokens["bob"])
    rows = client.get("/review/queue/rows")
    assert rows.status_code == 200 and 'id="queue-body"' in rows.text


def test_the_reviewer_api_is_still_mounted(site: Site, client: httpx.Client) -> None:
    me = client.get("/review/api/me", headers={"Authorization": f"Bearer {site.tokens['bob']}"})
    assert me.status_code == 200 and me.json()["name"] == "bob"


def test_reveal_without_permission_is_refused_and_recorded(site: Site, client: httpx.Client) -> None:
    async def park(queue: Any) -> str:
        hold = await queue.park(
            kind="answer",
            app="shop",
            conversation_id="c-reveal",
            answer="No.",
            policy_version="test",
            deadline_seconds=600,
        )
        return str(hold.id)

    hold_id = with_queue(site.harness, park)
    sign_in(client, "bob", site.tokens["bob"])
    page = client.get(f"/review/items/{hold_id}")
    assert 'id="reveal"' not in page.text
    refused = client.post(f"/review/items/{hold_id}/reveal", data={"csrf": csrf_of(page)})
    assert refused.status_code == 403
    assert "You may not reveal personal data" in refused.text
    assert any(
        '"hold.reveal_refused"' in e and hold_id in e and '"bob"' in e for e in audit_events(site.harness)
    )


def test_unknown_items_are_a_404_page(site: Site, client: httpx.Client) -> None:
    sign_in(client, "bob", site.tokens["bob"])
    response = client.get("/review/items/hold_doesnotexist")
    assert response.status_code == 404 and "There is no such item." in response.text


def test_templates_never_mark_content_safe() -> None:
    for template in Path(TEMPLATES_DIR).glob("*.html"):
        source = template.read_text(encoding="utf-8")
        for marker in ("|safe", "| safe", "autoescape false", "Markup(", "innerHTML"):
            assert marker not in source, f"{template.name} uses {marker}"
    script = (Path(TEMPLATES_DIR).parent / "static" / "review.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "eval(" not in script
