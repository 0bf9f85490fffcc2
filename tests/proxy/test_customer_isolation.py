"""Two customers of one app whose conversations open alike never receive each
other's personal data, on any path that releases a held answer: a waiting
request, the async fetch, the webhook, a reviewer's edit, and reveal."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from guardrail.standin import Reply
from tests.proxy.test_guarded import _pending_holds, _wait_for_new_hold, decide
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

ALICE = "Alice Johnson"
BOB = "Bob Stone"
OPENING = [
    {"role": "system", "content": "You are the support assistant of a home-goods shop."},
    {"role": "assistant", "content": "Hello! How can I help you today?"},
]
# Blames the customer, so the shipped policies hold it; it names both labels a
# shared conversation could hold, so a wrong restore would show.
HELD_ANSWER = "Dear <PERSON_1> and <PERSON_2>, this is your own fault for entering the wrong address."


class _Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def body_for(self, hold_id: str) -> dict[str, Any]:
        for _ in range(400):
            for body in self.bodies:
                if body["id"] == hold_id:
                    return body
            threading.Event().wait(0.05)
        raise AssertionError(f"no webhook for hold {hold_id}")


@pytest.fixture(scope="module")
def receiver() -> Iterator[_Receiver]:
    server = _Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(scope="module")
def shop(redis_url: str, receiver: _Receiver) -> Iterator[ProxyHarness]:
    apps = [{"name": "shop", "webhook_url": receiver.url, "webhook_secret": "whsec", "reveal_allowed": True}]
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config={"apps": apps}) as harness:
        yield harness


def _turn(name: str, question: str) -> list[dict[str, str]]:
    return [*OPENING, {"role": "user", "content": f"Hi, I'm {name}. {question}"}]


def _ask(harness: ProxyHarness, messages: list[dict[str, str]], headers: dict[str, str]) -> Any:
    return harness.client(timeout=60).chat.completions.with_raw_response.create(
        model=MODEL, messages=messages, extra_headers=headers
    )


def _alice_then_bob_held(harness: ProxyHarness, headers: dict[str, str]) -> str:
    """Alice talks first and is answered; Bob's answer is held (async). Returns the hold id."""
    harness.provider.responder = lambda body: Reply(content="Your order ships on Monday.")
    _ask(harness, _turn(ALICE, "Where is my order?"), headers)
    harness.provider.responder = lambda body: Reply(content=HELD_ANSWER)
    async_headers = {**headers, "X-Guardrail-Hold-Mode": "async"}
    raw = _ask(harness, _turn(BOB, "Why was my parcel returned?"), async_headers)
    assert raw.headers["x-guardrail-verdict"] == "hold"
    return str(raw.headers["x-guardrail-hold-id"])


def _fetch(harness: ProxyHarness, hold_id: str) -> str:
    released = httpx.get(
        f"{harness.base_url}/holds/{hold_id}", headers={"Authorization": f"Bearer {harness.key()}"}
    ).json()
    assert released["status"] == "decided"
    return str(released["text"])


# A shared conversation id is what an app that sends a constant header gets,
# and what a shared opening used to give every customer.
SHARED_ID = {"X-Guardrail-Conversation-Id": "support-chat"}


@pytest.mark.parametrize("headers", [{}, SHARED_ID], ids=["derived-id", "shared-id"])
def test_async_fetch_and_webhook_restore_only_the_customers_own_values(
    shop: ProxyHarness, receiver: _Receiver, headers: dict[str, str]
) -> None:
    hold_id = _alice_then_bob_held(shop, headers)
    token = shop.reviewer("rita")
    assert decide(shop, hold_id, "approve", token).status_code == 200
    for text in (_fetch(shop, hold_id), str(receiver.body_for(hold_id)["hold"]["text"])):
        assert ALICE not in text
        assert BOB in text  # Bob's own name does come back


@pytest.mark.parametrize("headers", [{}, SHARED_ID], ids=["derived-id", "shared-id"])
def test_reviewer_edit_restores_only_the_customers_own_values(
    shop: ProxyHarness, headers: dict[str, str]
) -> None:
    hold_id = _alice_then_bob_held(shop, headers)
    token = shop.reviewer("rita")
    edited = "Sorry <PERSON_1> and <PERSON_2>, let's fix the address together."
    assert decide(shop, hold_id, "edit", token, edited).status_code == 200
    text = _fetch(shop, hold_id)
    assert ALICE not in text and BOB in text


@pytest.mark.parametrize("headers", [{}, SHARED_ID], ids=["derived-id", "shared-id"])
def test_reveal_shows_only_the_holds_own_values(shop: ProxyHarness, headers: dict[str, str]) -> None:
    hold_id = _alice_then_bob_held(shop, headers)
    token = shop.reviewer("rita")
    shown = httpx.post(
        f"{shop.proxy.url}/review/api/holds/{hold_id}/reveal", headers={"Authorization": f"Bearer {token}"}
    )
    assert shown.status_code == 200
    assert ALICE not in shown.text
    assert BOB in shown.text


@pytest.mark.parametrize("headers", [{}, SHARED_ID], ids=["derived-id", "shared-id"])
def test_waiting_request_gets_only_its_own_values(shop: ProxyHarness, headers: dict[str, str]) -> None:
    shop.provider.responder = lambda body: Reply(content="Your order ships on Monday.")
    _ask(shop, _turn(ALICE, "Where is my order?"), headers)
    shop.provider.responder = lambda body: Reply(content=HELD_ANSWER)
    token = shop.reviewer("rita")
    before = _pending_holds(shop, token)
    result: dict[str, Any] = {}

    def wait() -> None:
        wait_headers = {**headers, "X-Guardrail-Hold-Mode": "wait", "X-Guardrail-Hold-Wait": "30"}
        raw = _ask(shop, _turn(BOB, "Why was my parcel returned?"), wait_headers)
        result["text"] = raw.parse().choices[0].message.content

    waiter = threading.Thread(target=wait)
    waiter.start()
    hold_id = _wait_for_new_hold(shop, token, before)
    assert decide(shop, hold_id, "approve", token).status_code == 200
    waiter.join(timeout=30)
    assert ALICE not in result["text"] and BOB in result["text"]


def test_customers_sharing_an_opening_get_separate_conversations(shop: ProxyHarness) -> None:
    shop.provider.responder = lambda body: Reply(content="Noted.")
    for name in (ALICE, BOB):
        _ask(shop, _turn(name, "Where is my order?"), {})
    first, second = (json.dumps(body["messages"]) for body in shop.provider.received[-2:])
    # Each customer's name is the first person of their own conversation.
    assert "<PERSON_1>" in first and "<PERSON_1>" in second
    assert "<PERSON_2>" not in second


def test_the_user_field_separates_customers_with_the_same_opening(shop: ProxyHarness) -> None:
    shop.provider.responder = lambda body: Reply(content="Could you tell me your name?")
    for user, name in (("customer-1", "Carol Diaz"), ("customer-2", "Dan Ruiz")):
        turn = [
            *OPENING,
            {"role": "user", "content": "Where is my order?"},
            {"role": "assistant", "content": "Could you tell me your name?"},
            {"role": "user", "content": f"It is {name}."},
        ]
        shop.client().chat.completions.create(model=MODEL, messages=turn, user=user)
    second = json.dumps(shop.provider.received[-1]["messages"])
    assert "<PERSON_1>" in second and "<PERSON_2>" not in second
