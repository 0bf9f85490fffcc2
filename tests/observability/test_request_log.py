"""One structured line per request, errors included: it parses, carries the
ids, verdict, rules, latencies and usage, and none of the seeded values."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from guardrail.observability.request_log import REQUEST_LOGGER, JsonFormatter, TextFormatter
from guardrail.standin import Reply
from guardrail.standin.provider import echo_responder
from tests.observability.scrape import SEEDED, assert_no_personal_data
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy

RUDE = "This is your own fault for entering the wrong address."


class _Lines(logging.Handler):
    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def guarded(redis_url: str) -> Iterator[ProxyHarness]:
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES) as harness:
        yield harness


@pytest.fixture(autouse=True)
def _echoing_provider(guarded: ProxyHarness) -> Iterator[None]:
    yield
    guarded.provider.responder = echo_responder


@pytest.fixture
def captured() -> Iterator[tuple[_Lines, _Lines]]:
    """The request logger's lines in both formats, and every other line of the
    proxy's own loggers and the server's, at every level (none may carry a
    seeded value; the test's own client libraries are not looked at)."""
    json_lines, text_lines = _Lines(JsonFormatter()), _Lines(TextFormatter())
    everything = _Lines(TextFormatter())
    requests = logging.getLogger(REQUEST_LOGGER)
    watched = [logging.getLogger(name) for name in ("guardrail", "uvicorn")]
    saved = [logger.level for logger in watched]
    for logger in watched:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(everything)
    requests.addHandler(json_lines)
    requests.addHandler(text_lines)
    try:
        yield json_lines, text_lines
    finally:
        requests.removeHandler(json_lines)
        requests.removeHandler(text_lines)
        for logger, level in zip(watched, saved, strict=True):
            logger.removeHandler(everything)
            logger.setLevel(level)
    assert everything.lines
    for line in everything.lines:
        assert_no_personal_data(line)


def _request_lines(handler: _Lines) -> list[dict[str, object]]:
    return [json.loads(line) for line in handler.lines]


def _lines_for(handler: _Lines, request_id: str) -> list[dict[str, object]]:
    """The request's lines. A line is written just after the response's last
    byte is sent, so the client may see the response first: wait for it."""
    for _ in range(100):
        lines = [line for line in _request_lines(handler) if line["request_id"] == request_id]
        if lines:
            return lines
        time.sleep(0.05)
    return []


def test_one_json_line_per_request_without_personal_data(
    guarded: ProxyHarness, captured: tuple[_Lines, _Lines]
) -> None:
    json_lines, text_lines = captured
    guarded.provider.responder = lambda body: Reply(content=RUDE)
    held = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}],
        extra_headers={"X-Guardrail-Hold-Mode": "async"},
    )
    request_id = held.headers["x-guardrail-request-id"]
    lines = _lines_for(json_lines, request_id)
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "request" and line["level"] == "info"
    assert line["path"] == "/v1/chat/completions" and line["status"] == 200
    assert line["app"] == "shop" and line["model"] == MODEL
    assert line["verdict"] == "hold"
    assert line["hold_id"] == held.headers["x-guardrail-hold-id"]
    assert "semantic.customer-blame" in line["rules"]
    assert line["usage"] == {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
    assert isinstance(line["latency_ms"], float)
    assert set(line["stages_ms"]) == {"deidentify", "checks", "upstream", "restore"}
    assert line["pii_entities"]["EMAIL_ADDRESS"] == 1
    for raw in json_lines.lines + text_lines.lines:
        assert_no_personal_data(raw)
        assert "<PERSON_1>" not in raw and "<EMAIL_ADDRESS_1>" not in raw
    text = next(t for t in text_lines.lines if request_id in t)
    assert "verdict=hold" in text and "status=200" in text


def test_errors_are_logged_by_type_and_request_id(
    guarded: ProxyHarness, captured: tuple[_Lines, _Lines]
) -> None:
    json_lines, _ = captured
    key = {"Authorization": f"Bearer {guarded.key()}"}
    bad_json = httpx.post(f"{guarded.base_url}/chat/completions", content=b"{" + SEEDED.encode(),
                          headers={**key, "Content-Type": "application/json"}, timeout=10)
    assert bad_json.status_code == 400
    guarded.provider.responder = lambda body: Reply(status=500, error_message=f"upstream saw {SEEDED}")
    with pytest.raises(openai.APIStatusError) as failed:
        guarded.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": SEEDED}]
        )
    assert failed.value.status_code == 502
    (first,) = _lines_for(json_lines, bad_json.headers["x-guardrail-request-id"])
    assert first["status"] == 400 and first["error"] == "invalid_json"
    (provider_failure,) = _lines_for(json_lines, failed.value.response.headers["x-guardrail-request-id"])
    assert provider_failure["status"] == 502 and provider_failure["level"] == "error"
    assert provider_failure["error"] == "provider_error"
    no_key = httpx.post(f"{guarded.base_url}/chat/completions", json={}, timeout=10)
    assert no_key.status_code == 401
    (unauthorized,) = _lines_for(json_lines, no_key.headers["x-guardrail-request-id"])
    assert unauthorized["error"] == "invalid_api_key" and "app" not in unauthorized
    for raw in json_lines.lines:
        assert_no_personal_data(raw)
        assert "upstream saw" not in raw


def test_streams_are_logged_once_when_they_end(
    guarded: ProxyHarness, captured: tuple[_Lines, _Lines]
) -> None:
    json_lines, _ = captured
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}], stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in raw.parse() if c.choices)
    assert "Sarah Johnson" in text
    request_id = raw.headers["x-guardrail-request-id"]
    lines = _lines_for(json_lines, request_id)
    assert len(lines) == 1 and lines[0]["status"] == 200 and lines[0]["verdict"] == "modify"
