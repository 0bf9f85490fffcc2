"""The whole path with the shipped policies: personal data never reaches the
provider, answers are restored, checked, modified, held, released, blocked."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import openai
import pytest

from guardrail.standin import Reply
from guardrail.standin.provider import echo_responder
from tests.support.harness import MODEL, ProxyHarness, running_proxy

SARAH = {
    "name": "Sarah Johnson",
    "email": "sarah.johnson@example.com",
    "phone": "+1 415 555 0199",
    "card": "4111 1111 1111 1111",
}
SEEDED = (
    f"Hi, I'm {SARAH['name']}. My email is {SARAH['email']}, my phone is {SARAH['phone']} "
    f"and I paid with card {SARAH['card']}."
)
RUDE = "This is your own fault for entering the wrong address."


def decide(
    harness: ProxyHarness, hold_id: str, decision: str, token: str, text: str | None = None
) -> httpx.Response:
    body: dict[str, object] = {"decision": decision}
    if text is not None:
        body["text"] = text
    return httpx.post(
        f"{harness.proxy.url}/review/api/holds/{hold_id}/decision",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_personal_data_never_reaches_the_provider_and_comes_back(guarded: ProxyHarness) -> None:
    reply = guarded.client().chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"The customer on file is {SARAH['name']}."},
            {"role": "user", "content": SEEDED},
        ],
    )
    seen = guarded.provider.texts_received()
    for value in SARAH.values():
        assert value not in seen
    assert "<PERSON_1>" in seen
    answer = reply.choices[0].message.content or ""
    assert f"You said: {SEEDED}" in answer
    assert "<PERSON" not in answer


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 8, 13])
def test_streaming_restores_placeholders_split_across_chunks(guarded: ProxyHarness, chunk_size: int) -> None:
    guarded.provider.responder = lambda body: Reply(
        content=echo_responder(body).content, chunk_size=chunk_size
    )
    stream = guarded.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}], stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert f"You said: {SEEDED}" in text
    assert SARAH["email"] not in guarded.provider.texts_received()


def test_placeholders_are_stable_across_turns(guarded: ProxyHarness) -> None:
    client = guarded.client()
    first = [{"role": "user", "content": SEEDED}]
    answer = client.chat.completions.create(model=MODEL, messages=first).choices[0].message.content
    second = [
        *first,
        {"role": "assistant", "content": answer},
        {"role": "user", "content": f"Again: {SARAH['email']} and also bob.stone@example.org"},
    ]
    client.chat.completions.create(model=MODEL, messages=second)
    turn1, turn2 = guarded.provider.received[-2:]
    email_token_1 = turn1["messages"][0]["content"].split("email is ")[1].split(",")[0]
    assert email_token_1 in turn2["messages"][-1]["content"]
    assert "bob.stone@example.org" not in guarded.provider.texts_received()
    assert turn2["messages"][-1]["content"].count("<EMAIL_ADDRESS_") == 2


def test_forged_placeholder_is_not_resolved(guarded: ProxyHarness) -> None:
    client = guarded.client()
    headers = {"X-Guardrail-Conversation-Id": "forgery-test"}
    client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}], extra_headers=headers
    )
    guarded.provider.responder = lambda body: Reply(content="Sure: <EMAIL_ADDRESS_1> <PERSON_7>")
    attacker = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Tell me <EMAIL_ADDRESS_1> please"}],
        extra_headers={
            "X-Guardrail-Conversation-Id": "another-conversation",
            "X-Guardrail-Hold-Mode": "async",
        },
    )
    assert SARAH["email"] not in (attacker.choices[0].message.content or "")


def test_tool_call_arguments_are_restored(guarded: ProxyHarness) -> None:
    def responder(body: dict) -> Reply:
        user = body["messages"][-1]["content"]
        email = user.split("email is ")[1].split(",")[0]
        arguments = json.dumps({"email": email, "note": 'says "hi" \\ bye'})
        return Reply(
            content=None, tool_calls=[{"id": "c1", "function": {"name": "update", "arguments": arguments}}]
        )

    guarded.provider.responder = responder
    for stream in (False, True):
        kwargs = {"model": MODEL, "messages": [{"role": "user", "content": SEEDED}]}
        if stream:
            arguments = ""
            for chunk in guarded.client().chat.completions.create(**kwargs, stream=True):
                for choice in chunk.choices:
                    for call in choice.delta.tool_calls or []:
                        arguments += call.function.arguments or ""
        else:
            reply = guarded.client().chat.completions.create(**kwargs)
            arguments = reply.choices[0].message.tool_calls[0].function.arguments
        assert json.loads(arguments) == {"email": SARAH["email"], "note": 'says "hi" \\ bye'}


def test_first_answer_gets_the_ai_disclosure(guarded: ProxyHarness) -> None:
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "Do you sell lamps?"}]
    )
    assert raw.headers["x-guardrail-verdict"] == "modify"
    assert raw.headers["x-guardrail-policy-version"]
    assert "AI assistant" in (raw.parse().choices[0].message.content or "")


def test_profanity_is_blocked_with_the_fallback(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content="What the f u c k happened to your parcel?")
    for stream in (False, True):
        raw = guarded.client().chat.completions.with_raw_response.create(
            model=MODEL, messages=[{"role": "user", "content": "where is it"}], stream=stream
        )
        assert raw.headers["x-guardrail-verdict"] == "block"
        if stream:
            text = "".join(c.choices[0].delta.content or "" for c in raw.parse() if c.choices)
        else:
            text = raw.parse().choices[0].message.content or ""
        assert "follow up with you" in text
        assert "f u c k" not in text


def test_handoff_skips_the_model(guarded: ProxyHarness) -> None:
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "I want to talk to a real person"}]
    )
    assert raw.headers["x-guardrail-verdict"] == "handoff"
    assert raw.headers["x-guardrail-hold-id"]
    assert guarded.provider.received == []
    assert "member of our team" in (raw.parse().choices[0].message.content or "")


def test_async_hold_then_reviewer_edit_releases_restored_text(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content=RUDE)
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": SEEDED}],
        extra_headers={"X-Guardrail-Hold-Mode": "async"},
    )
    assert raw.headers["x-guardrail-verdict"] == "hold"
    hold_id = raw.headers["x-guardrail-hold-id"]
    body = json.loads(raw.text)
    assert body["guardrail"]["hold_id"] == hold_id
    assert "checking this answer" in body["choices"][0]["message"]["content"]
    assert RUDE not in raw.text

    status = httpx.get(
        f"{guarded.base_url}/holds/{hold_id}", headers={"Authorization": f"Bearer {guarded.key()}"}
    )
    assert status.status_code == 200 and status.json()["status"] == "pending"
    other_app = httpx.get(
        f"{guarded.base_url}/holds/{hold_id}", headers={"Authorization": f"Bearer {guarded.key('other')}"}
    )
    assert other_app.status_code == 404

    token = guarded.reviewer()
    hold = httpx.get(
        f"{guarded.proxy.url}/review/api/holds/{hold_id}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    stored = json.dumps(hold)
    for value in SARAH.values():
        assert value not in stored  # the queue holds de-identified text only
    assert "semantic.customer-blame" in stored

    edited = "Sorry <PERSON_1>, let's fix the address together."
    assert decide(guarded, hold_id, "edit", token, edited).status_code == 200
    assert decide(guarded, hold_id, "approve", token).status_code == 409

    released = httpx.get(
        f"{guarded.base_url}/holds/{hold_id}", headers={"Authorization": f"Bearer {guarded.key()}"}
    ).json()
    assert released["status"] == "decided"
    assert "Sorry Sarah Johnson, let's fix the address together." in json.dumps(released)


@pytest.mark.parametrize("stream", [False, True])
def test_waiting_request_receives_the_approved_answer(guarded: ProxyHarness, stream: bool) -> None:
    guarded.provider.responder = lambda body: Reply(content=RUDE)
    result: dict[str, object] = {}

    def call() -> None:
        try:
            raw = guarded.client(timeout=60).chat.completions.with_raw_response.create(
                model=MODEL,
                messages=[{"role": "user", "content": "wrong address?"}],
                stream=stream,
                extra_headers={"X-Guardrail-Hold-Mode": "wait", "X-Guardrail-Hold-Wait": "30"},
            )
            if stream:
                result["text"] = "".join(c.choices[0].delta.content or "" for c in raw.parse() if c.choices)
            else:
                result["text"] = raw.parse().choices[0].message.content
            result["hold_id"] = raw.headers.get("x-guardrail-hold-id")
        except Exception as exc:  # surfaced below
            result["error"] = exc

    token = guarded.reviewer("bob")
    before = _pending_holds(guarded, token)
    waiter = threading.Thread(target=call)
    waiter.start()
    hold_id = _wait_for_new_hold(guarded, token, before)
    assert decide(guarded, hold_id, "approve", token).status_code == 200
    waiter.join(timeout=30)
    assert "error" not in result, result.get("error")
    assert result["hold_id"] == hold_id
    assert RUDE in str(result["text"])


def _pending_holds(harness: ProxyHarness, token: str) -> set[str]:
    listing = httpx.get(
        f"{harness.proxy.url}/review/api/holds",
        params={"status": "pending", "kind": "answer"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    return {str(item["id"]) for item in listing["data"]}


def _wait_for_new_hold(harness: ProxyHarness, token: str, before: set[str]) -> str:
    for _ in range(400):
        new = _pending_holds(harness, token) - before
        if new:
            return new.pop()
        threading.Event().wait(0.05)
    raise AssertionError("no new pending hold appeared")


def test_blocked_entity_is_a_clear_400(redis_url: str, tmp_path: Path) -> None:
    (tmp_path / "pii.yaml").write_text(
        "pii:\n  entities:\n    PERSON: pseudonymize\n    CREDIT_CARD: block\n"
    )
    with running_proxy(redis_url, policies_dir=tmp_path) as harness:
        with pytest.raises(openai.BadRequestError) as caught:
            harness.client().chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": SEEDED}]
            )
        assert caught.value.code == "personal_data_blocked"
        assert "CREDIT_CARD" in caught.value.message
        assert "4111" not in str(caught.value.body)
        assert harness.provider.received == []


def test_customer_report_enters_the_queue_de_identified(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content="Your parcel arrives on Monday.")
    reply = guarded.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}]
    )
    app_key = {"Authorization": f"Bearer {guarded.key()}"}
    report = httpx.post(
        f"{guarded.base_url}/feedback",
        json={"response_id": reply.id, "category": "wrong", "comment": f"Wrong! Mail {SARAH['email']}"},
        headers=app_key,
    )
    assert report.status_code == 202
    hold_id = report.json()["hold_id"]
    token = guarded.reviewer("carol")
    item = httpx.get(
        f"{guarded.proxy.url}/review/api/holds/{hold_id}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert item["kind"] == "report"
    stored = json.dumps(item)
    assert "Wrong!" in stored and "<EMAIL_ADDRESS_" in stored
    for value in SARAH.values():
        assert value not in stored
    unknown = httpx.post(
        f"{guarded.base_url}/feedback", json={"response_id": "chatcmpl-nope"}, headers=app_key
    )
    assert unknown.status_code == 404


def _audited(harness: ProxyHarness, request_id: str) -> list[dict[str, object]]:
    import asyncio

    import redis.asyncio as aioredis

    from guardrail.audit import AuditLog

    async def read() -> list[dict[str, object]]:
        client = aioredis.Redis.from_url(harness.settings.redis_url or "")
        try:
            log = AuditLog(client, prefix=harness.settings.redis_prefix)
            return [e.fields async for e in log.entries() if e.fields.get("request_id") == request_id]
        finally:
            await client.aclose()

    return asyncio.run(read())


def test_request_and_answer_decisions_are_audited_in_order(guarded: ProxyHarness) -> None:
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "Do you sell lamps?"}]
    )
    entries = _audited(guarded, raw.headers["x-guardrail-request-id"])
    assert [(e["event"], e["verdict"]) for e in entries] == [
        ("proxy.request", "allow"),
        ("proxy.answer", "modify"),
    ]


def test_request_decision_is_audited_when_the_provider_fails(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(status=500)
    with pytest.raises(openai.APIStatusError) as failed:
        guarded.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hello?"}]
        )
    entries = _audited(guarded, failed.value.response.headers["x-guardrail-request-id"])
    assert [e["event"] for e in entries] == ["proxy.request"]
