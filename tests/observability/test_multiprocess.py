"""`guardrail serve --workers 2`: every scrape returns the sum over both
workers (prometheus_client's multiprocess mode, set up by serve)."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import yaml

from guardrail.standin import StandInProvider, ThreadedServer
from tests.observability.scrape import Scrape
from tests.support.harness import MODEL
from tests.support.serve_process import ServeProcess, create_key

BATCH = 6


def test_metrics_are_summed_over_workers(redis_url: str, tmp_path: Path) -> None:
    prefix = f"gtest:{uuid.uuid4().hex[:8]}:"
    with ThreadedServer(StandInProvider().app) as upstream:
        config = tmp_path / "guardrail.yaml"
        config.write_text(yaml.safe_dump({"model_list": [{"model_name": MODEL, "litellm_params": {
            "model": "openai/stand-in", "api_base": f"{upstream.url}/v1", "api_key": "sk-x"}}]}),
            encoding="utf-8")
        (tmp_path / "no-policies").mkdir()
        data_dir = tmp_path / "data"
        stale = data_dir / "metrics"
        stale.mkdir(parents=True)
        (stale / "counter_1.db").write_bytes(b"left over from an earlier run")
        server = ServeProcess(config, tmp_path / "no-policies", redis_url, prefix,
                              "--workers", "2", "--data-dir", str(data_dir))
        try:
            server.wait_ready(timeout=240)
            key = create_key(redis_url, prefix, "shop")

            def one(_: int) -> int:
                # a fresh connection each time, so both workers get requests
                response = httpx.post(
                    f"{server.url}/v1/chat/completions", headers={"Authorization": f"Bearer {key}"},
                    json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}, timeout=60,
                )
                return response.status_code

            # Until both workers have answered (the second may still be starting).
            sent = 0
            deadline = time.monotonic() + 240
            with ThreadPoolExecutor(max_workers=6) as pool:
                while len(_serving_pids(server.log_text())) < 2:
                    assert time.monotonic() < deadline, "the second worker never answered"
                    assert list(pool.map(one, range(BATCH))) == [200] * BATCH
                    sent += BATCH
            for _ in range(4):  # whichever worker answers the scrape
                scrape = Scrape(httpx.get(f"{server.url}/metrics", timeout=10).text)
                total = scrape.value("guardrail_requests_total", app="shop", model=MODEL, status="200")
                assert total == sent
            assert not (stale / "counter_1.db").exists()
        finally:
            server.stop()


def _serving_pids(logs: str) -> set[int]:
    pids = set()
    for raw in logs.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue  # the line being written right now
        if line.get("event") == "request" and line.get("path") == "/v1/chat/completions":
            pids.add(line["pid"])
    return pids
