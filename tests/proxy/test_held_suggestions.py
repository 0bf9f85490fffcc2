"""Suggestions stored with a hold are de-identified like the held answer,
and re-identified only when the reviewer's choice is released."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import httpx
import redis

from guardrail.standin import Reply
from tests.support.harness import MODEL, running_proxy

EMAIL = "jane.doe@example.com"
POLICY = """\
    pii:
      entities: default
    rules:
      - id: governed.refunds
        type: approved_messages
        topic:
          name: refunds
          keywords: {en: [refund]}
        slots:
          contact: '[a-z.]+@[a-z.]+'
        messages:
          - id: refund-form
            text: "We have emailed the refund form to {contact}."
        on_mismatch: hold
    """


def test_suggestions_never_hold_restored_personal_data(redis_url: str, tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(textwrap.dedent(POLICY))
    with running_proxy(redis_url, policies_dir=tmp_path) as harness:
        # The model answers with the customer's email placeholder; the
        # re-identified answer holds the email, the stored hold must not.
        harness.provider.responder = lambda body: Reply(
            content="Refund coming: I sent details to <EMAIL_ADDRESS_1>, no form needed."
        )
        raw = harness.client().chat.completions.with_raw_response.create(
            model=MODEL,
            messages=[{"role": "user", "content": f"I want a refund. My email is {EMAIL}."}],
            extra_headers={"X-Guardrail-Hold-Mode": "async"},
        )
        assert raw.headers["x-guardrail-verdict"] == "hold"
        hold_id = raw.headers["x-guardrail-hold-id"]

        token = harness.reviewer()
        hold = httpx.get(
            f"{harness.proxy.url}/review/api/holds/{hold_id}",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        # Filled from the de-identified answer, where no email is written: the
        # slot is left for the reviewer (it used to be filled with the email).
        assert hold["suggestions"] == ["We have emailed the refund form to {contact}."]
        assert EMAIL not in json.dumps(hold)

        client = redis.Redis.from_url(redis_url)
        try:
            for key in client.scan_iter(match=f"{harness.settings.redis_prefix}*"):
                kind = client.type(key).decode()
                dump = {
                    "hash": lambda k: client.hgetall(k),
                    "string": lambda k: client.get(k),
                    "list": lambda k: client.lrange(k, 0, -1),
                    "stream": lambda k: client.xrange(k),
                    "zset": lambda k: client.zrange(k, 0, -1),
                    "set": lambda k: client.smembers(k),
                }.get(kind, lambda k: b"")(key)
                assert EMAIL.encode() not in repr(dump).encode(), key
        finally:
            client.close()

        completed = hold["suggestions"][0].replace("{contact}", "<EMAIL_ADDRESS_1>")
        picked = httpx.post(
            f"{harness.proxy.url}/review/api/holds/{hold_id}/decision",
            json={"decision": "edit", "text": completed},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert picked.status_code == 200
        released = httpx.get(
            f"{harness.base_url}/holds/{hold_id}",
            headers={"Authorization": f"Bearer {harness.key()}"},
        ).json()
        assert f"We have emailed the refund form to {EMAIL}." in json.dumps(released)
