"""The optional LLM judge, against a small OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from guardrail.types import Action, CheckContext


class _Judge(BaseHTTPRequestHandler):
    reply = '{"pass": true}'
    seen: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(body)
        payload = json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": "judge",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": type(self).reply},
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def judge_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Judge)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


@pytest.fixture
def judged(policy_of, judge_url, monkeypatch):
    monkeypatch.setenv("TEST_JUDGE_KEY", "sk-test")
    return policy_of(f"""\
        rules:
          - id: judge
            type: llm_judge
            enabled: true
            model: openai/judge
            api_base: {judge_url}
            api_key_env: TEST_JUDGE_KEY
            rubric: Be kind.
        """)


@pytest.mark.parametrize(
    ("reply", "action", "kind"),
    [
        ('{"pass": true}', Action.ALLOW, None),
        ('Sure: {"pass": false}', Action.HOLD, "llm_judge"),
        ("I cannot decide", Action.HOLD, "check_error"),
    ],
)
async def test_judge_verdicts(judged, reply, action, kind):
    _Judge.reply = reply
    verdict = await judged.check_answer_async("Your box ships today.", CheckContext())
    assert verdict.action is action
    assert [f.kind for f in verdict.findings] == ([kind] if kind else [])
    assert "Be kind." in _Judge.seen[-1]["messages"][0]["content"]


def test_sync_evaluation_of_a_judged_set_fails_closed(judged):
    assert judged.needs_async and judged.streaming == "buffer"
    verdict = judged.check_answer("Your box ships today.", CheckContext())
    assert verdict.action is Action.HOLD and verdict.findings[0].kind == "check_error"


def test_judge_is_off_unless_enabled(policy_of):
    policy = policy_of("rules:\n  - {id: j, type: llm_judge, model: m, rubric: r}\n")
    assert policy.rules == () and not policy.needs_async
