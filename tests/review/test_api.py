"""The reviewer API and the two app endpoints, over ASGI and over real HTTP."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from guardrail.app_keys import KeyStore
from guardrail.audit import AuditLog
from guardrail.pii import Analyzer, PiiPolicy, PiiService
from guardrail.proxy.middleware import AppKeyMiddleware
from guardrail.review import (
    Decision,
    HoldStatus,
    ResponseLog,
    ReviewerStore,
    ReviewQueue,
    Role,
    feedback_route,
    hold_status_route,
    review_api_routes,
)
from tests.review.support import VAULT_KEY, park_answer


def build_app(
    queue: ReviewQueue, reviewers: ReviewerStore, responses: ResponseLog, audit: AuditLog, pii: PiiService
) -> Starlette:
    async def deidentify(app: str, conversation_id: str, text: str) -> str:
        protected = await pii.protect(
            [{"role": "user", "content": text}],
            scope=app,
            conversation_id=f"feedback:{conversation_id}",
            policy=PiiPolicy.default(),
        )
        return str(protected.messages[0]["content"])

    app = Starlette(
        routes=[
            Mount(
                "/review/api",
                routes=review_api_routes(
                    queue, reviewers, pii, audit, reveal_allowed=lambda app: app != "bank"
                ),
            ),
            hold_status_route(queue, pii),
            feedback_route(queue, responses, deidentify=deidentify),
        ]
    )
    app.add_middleware(AppKeyMiddleware, keys=KeyStore(queue.redis, prefix=queue.keys.base))
    return app


@pytest.fixture
async def app_keys(queue: ReviewQueue) -> dict[str, str]:
    """Real app keys for two apps, in the same Redis as the queue."""
    store = KeyStore(queue.redis, prefix=queue.keys.base)
    return {app: (await store.create(app))[0] for app in ("shop", "bank")}


@pytest.fixture
async def tokens(reviewers: ReviewerStore) -> dict[str, str]:
    _, alice = await reviewers.add("alice", Role.REVIEWER)
    _, bob = await reviewers.add("bob", Role.REVIEWER)
    _, root = await reviewers.add("root", Role.ADMIN, can_reveal=True)
    return {"alice": alice, "bob": bob, "root": root}


@pytest.fixture
async def client(
    queue: ReviewQueue, reviewers: ReviewerStore, responses: ResponseLog, audit: AuditLog, pii: PiiService
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(queue, reviewers, responses, audit, pii)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_requires_reviewer_credentials(
    client: httpx.AsyncClient, tokens: dict[str, str], app_keys: dict[str, str]
) -> None:
    response = await client.get("/review/api/holds")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/review/api/holds", headers=bearer("grv_nope"))).status_code == 401
    # App keys are not reviewer credentials.
    assert (await client.get("/review/api/holds", headers=bearer(app_keys["shop"]))).status_code == 401
    basic = await client.get("/review/api/me", auth=("alice", tokens["alice"]))
    assert basic.status_code == 200 and basic.json()["name"] == "alice"
    assert (await client.get("/review/api/me", auth=("bob", tokens["alice"]))).status_code == 401


async def test_list_get_claim_decide(
    client: httpx.AsyncClient, queue: ReviewQueue, tokens: dict[str, str]
) -> None:
    hold = await park_answer(queue)
    alice, bob = bearer(tokens["alice"]), bearer(tokens["bob"])

    listed = (await client.get("/review/api/holds", headers=alice)).json()["data"]
    assert [item["id"] for item in listed] == [hold.id]
    assert "answer" not in listed[0] and "messages" not in listed[0]
    filtered = await client.get("/review/api/holds?app=bank", headers=alice)
    assert filtered.json()["data"] == []
    assert (await client.get("/review/api/holds?kind=bogus", headers=alice)).status_code == 400
    counts = (await client.get("/review/api/counts", headers=alice)).json()
    assert counts["open"] == 1

    item = (await client.get(f"/review/api/holds/{hold.id}", headers=alice)).json()
    assert item["answer"] == "Go away <PERSON_1>."  # de-identified by default
    assert item["findings"][0]["rule_id"] == "tone.rude"
    assert (await client.get("/review/api/holds/hold_nope", headers=alice)).status_code == 404

    claimed = await client.post(
        f"/review/api/holds/{hold.id}/claim", headers=alice, json={"lease_seconds": 60}
    )
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "alice"
    taken = await client.post(f"/review/api/holds/{hold.id}/claim", headers=bob)
    assert taken.status_code == 409 and taken.json()["error"]["claimed_by"] == "alice"

    bad = await client.post(f"/review/api/holds/{hold.id}/decision", headers=alice, json={"decision": "edit"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "text"

    decision = {"decision": "edit", "text": "Hello <PERSON_1>!", "expected_version": 1}
    first = await client.post(
        f"/review/api/holds/{hold.id}/decision", json=decision, headers={**alice, "Idempotency-Key": "k-1"}
    )
    assert first.status_code == 200, first.text
    assert first.json()["text"] == "Hello <PERSON_1>!"
    retry = await client.post(
        f"/review/api/holds/{hold.id}/decision", json=decision, headers={**alice, "Idempotency-Key": "k-1"}
    )
    assert retry.json() == first.json()
    lost = await client.post(
        f"/review/api/holds/{hold.id}/decision", headers=bob, json={"decision": "approve"}
    )
    assert lost.status_code == 409
    error = lost.json()["error"]
    assert set(error) >= {"message", "type", "param", "code"}
    assert error["code"] == "conflict" and error["reason"] == "decided"


async def test_racing_decisions_over_http_one_200_one_409(
    client: httpx.AsyncClient, queue: ReviewQueue, tokens: dict[str, str]
) -> None:
    hold = await park_answer(queue)
    results = await asyncio.gather(
        *(
            client.post(
                f"/review/api/holds/{hold.id}/decision",
                headers=bearer(tokens[who]),
                json={"decision": "approve", "expected_version": 1},
            )
            for who in ("alice", "bob")
        )
    )
    assert sorted(r.status_code for r in results) == [200, 409]


async def test_reveal_needs_permission_and_is_audited(
    client: httpx.AsyncClient, queue: ReviewQueue, audit: AuditLog, tokens: dict[str, str], alice: str
) -> None:
    hold = await park_answer(queue, conversation_id=alice)
    denied = await client.post(f"/review/api/holds/{hold.id}/reveal", headers=bearer(tokens["alice"]))
    assert denied.status_code == 403
    shown = await client.post(f"/review/api/holds/{hold.id}/reveal", headers=bearer(tokens["root"]))
    assert shown.status_code == 200
    body = shown.json()
    assert body["answer"] == "Go away Alice Example."
    assert body["messages"][0]["content"] == "I am Alice Example, where is my order?"
    assert shown.headers["cache-control"] == "no-store"
    entries = [e.fields async for e in audit.entries()]
    reveal = [e for e in entries if e["event"] == "hold.revealed"]
    assert reveal == [{"event": "hold.revealed", "hold_id": hold.id, "app": "shop", "reviewer": "root"}]
    assert "Alice" not in "".join(str(e) for e in entries)

    other = await park_answer(queue, app="bank")  # this app forbids revealing
    refused = await client.post(f"/review/api/holds/{other.id}/reveal", headers=bearer(tokens["root"]))
    assert refused.status_code == 403


async def test_app_hold_status_only_own_holds(
    client: httpx.AsyncClient, queue: ReviewQueue, alice: str, app_keys: dict[str, str]
) -> None:
    hold = await park_answer(queue, conversation_id=alice)
    shop, bank = bearer(app_keys["shop"]), bearer(app_keys["bank"])
    pending = (await client.get(f"/v1/holds/{hold.id}", headers=shop)).json()
    assert pending["status"] == "pending" and pending["text"] is None
    assert (await client.get(f"/v1/holds/{hold.id}", headers=bank)).status_code == 404
    assert (await client.get(f"/v1/holds/{hold.id}")).status_code == 401

    await queue.decide(hold.id, "alice", Decision.EDIT, text="Hi <PERSON_1>, sorry.")
    done = (await client.get(f"/v1/holds/{hold.id}", headers=shop)).json()
    assert done["status"] == "decided" and done["decision"] == "edit"
    assert done["text"] == "Hi Alice Example, sorry."  # re-identified for the app
    assert "reviewer" not in done


async def test_feedback_becomes_a_report(
    client: httpx.AsyncClient, queue: ReviewQueue, responses: ResponseLog, app_keys: dict[str, str]
) -> None:
    await responses.record_response(
        "chatcmpl-1",
        app="shop",
        conversation_id="conv-7",
        answer="Refunds take <DAYS>.",
        policy_version="pv-2",
        messages=[{"role": "user", "content": "Hi, <PERSON_1> here"}],
    )
    shop = bearer(app_keys["shop"])
    sent = await client.post(
        "/v1/feedback",
        headers=shop,
        json={
            "response_id": "chatcmpl-1",
            "category": "unfair",
            "comment": "Alice Example thinks this is wrong",
        },
    )
    assert sent.status_code == 202
    hold_id = sent.json()["hold_id"]
    report = await queue.get(hold_id)
    assert report.kind == "report" and report.status is HoldStatus.PENDING
    assert report.answer == "Refunds take <DAYS>." and report.conversation_id == "conv-7"
    assert report.meta["category"] == "unfair"
    assert report.meta["comment"] == "<PERSON_1> thinks this is wrong"

    again = await client.post("/v1/feedback", headers=shop, json={"response_id": "chatcmpl-1"})
    assert again.status_code == 200 and again.json()["hold_id"] == hold_id
    other_app = await client.post(
        "/v1/feedback", headers=bearer(app_keys["bank"]), json={"response_id": "chatcmpl-1"}
    )
    assert other_app.status_code == 404
    invalid = await client.post("/v1/feedback", headers=shop, json={"category": "x"})
    assert invalid.status_code == 400
    assert invalid.json()["error"]["type"] == "invalid_request_error"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_over_real_http(
    redis_url: str, prefix: str, tokens: dict[str, str], queue: ReviewQueue, analyzer: Analyzer
) -> None:
    """uvicorn in a thread, with its own event loop and Redis connection."""
    import redis.asyncio as aioredis

    hold = await park_answer(queue)
    port = _free_port()
    server_redis = aioredis.Redis.from_url(redis_url)
    server_audit = AuditLog(server_redis, prefix=prefix)
    app = build_app(
        ReviewQueue(server_redis, prefix=prefix, audit=server_audit),
        ReviewerStore(server_redis, prefix=prefix),
        ResponseLog(server_redis, prefix=prefix),
        server_audit,
        PiiService(server_redis, prefix=prefix, vault_keys=[VAULT_KEY], analyzer=analyzer),
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            await asyncio.sleep(0.05)
        waiter = asyncio.create_task(queue.wait_for_outcome(hold.id, 10))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            response = await http.post(
                f"/review/api/holds/{hold.id}/decision",
                headers=bearer(tokens["alice"]),
                json={"decision": "reject"},
            )
        assert response.status_code == 200
        outcome = await waiter
        assert outcome is not None and outcome.text == "Sorry, a colleague will get back to you."
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)
