"""The optional LLM judge, against a small OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from guardrail.policy import PolicyError, PolicyStore
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
def judged(write, judge_url, monkeypatch):
    """A judge whose model comes from the config's model_list (its key an
    `os.environ/` reference, resolved at call time)."""
    monkeypatch.setenv("TEST_JUDGE_KEY", "sk-test")
    models = {
        "judge-model": {
            "model": "openai/judge",
            "api_base": judge_url,
            "api_key": "os.environ/TEST_JUDGE_KEY",
        }
    }
    store = PolicyStore(
        write(
            "policy.yaml",
            """\
            rules:
              - id: judge
                type: llm_judge
                enabled: true
                model: judge-model
                rubric: Be kind.
            """,
        ),
        models=models,
    )
    store.load()
    return store.get(None)


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


@pytest.mark.parametrize("field", ["api_base", "api_key_env"])
def test_a_policy_file_cannot_point_the_judge_anywhere(write, field):
    """A policy edit must not send answers, or the operator's keys, to a URL
    of its choosing: the judge's endpoint comes from the model_list only."""
    directory = write(
        "policy.yaml",
        f"rules:\n  - {{id: j, type: llm_judge, model: m, rubric: r, {field}: x}}\n",
    )
    with pytest.raises(PolicyError) as caught:
        PolicyStore(directory).load()
    assert f"'{field}' is not accepted" in str(caught.value)


async def test_a_judge_naming_no_listed_model_holds(policy_of):
    policy = policy_of(
        "rules:\n  - {id: j, type: llm_judge, enabled: true, model: nowhere, rubric: r}\n"
    )
    verdict = await policy.check_answer_async("Your box ships today.", CheckContext())
    assert verdict.action is Action.HOLD and verdict.findings[0].kind == "check_error"
