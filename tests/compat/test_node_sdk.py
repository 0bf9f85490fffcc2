"""The official openai Node SDK (pinned below) against the proxy.

Needs `node` and the `openai` npm package, installed once per machine into a
cache directory outside the repository (never committed). Skipped, saying
why, when either is missing or cannot be installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.compat.scenarios import (
    GREETING,
    MODEL,
    TIME_RESULT,
    WEATHER_QUESTION,
    WEATHER_RESULT,
    assert_never_sent,
    customer,
    echo,
    personal_message,
)
from tests.support.harness import ProxyHarness

NODE_OPENAI_VERSION = "6.30.1"
SCRIPT = Path(__file__).with_name("node") / "scenarios.mjs"


@pytest.fixture(scope="session")
def node_dir() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm not installed: the Node SDK compatibility tests need them")
    default = Path(tempfile.gettempdir()) / f"guardrail-compat-node-openai-{NODE_OPENAI_VERSION}"
    target = Path(os.environ.get("GUARDRAIL_TEST_NODE_DIR", default))
    if not (target / "node_modules" / "openai" / "package.json").exists():
        target.mkdir(parents=True, exist_ok=True)
        (target / "package.json").write_text('{"private": true, "type": "module"}')
        try:
            subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", f"openai@{NODE_OPENAI_VERSION}"],
                cwd=target,
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.skip(f"could not install openai@{NODE_OPENAI_VERSION} from the npm registry: {exc}")
    return target


def run_scenarios(node_dir: Path, harness: ProxyHarness, key: str, personal: str) -> dict[str, Any]:
    script = node_dir / SCRIPT.name
    shutil.copyfile(SCRIPT, script)  # next to node_modules, so `import "openai"` resolves
    env = {
        **os.environ,
        "BASE_URL": harness.base_url,
        "API_KEY": key,
        "MODEL": MODEL,
        "GREETING": GREETING,
        "WEATHER_QUESTION": WEATHER_QUESTION,
        "WEATHER_RESULT": WEATHER_RESULT,
        "TIME_RESULT": TIME_RESULT,
        "PERSONAL_MESSAGE": personal,
    }
    done = subprocess.run(
        ["node", str(script)], cwd=node_dir, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    results: dict[str, Any] = json.loads(done.stdout)
    return results


@pytest.fixture(scope="session")
def node_results(node_dir: Path, compat_proxy: ProxyHarness, app_key: str) -> dict[str, Any]:
    person = customer()
    results = run_scenarios(node_dir, compat_proxy, app_key, personal_message(person))
    results["_person"] = person
    return results


def value(results: dict[str, Any], name: str) -> Any:
    outcome = results[name]
    assert outcome["ok"], outcome.get("error")
    return outcome["value"]


def test_plain(node_results: dict[str, Any]) -> None:
    got = value(node_results, "plain")
    assert got["text"].startswith(echo(GREETING))
    assert got["requestId"] and got["requestId"] == got["header"]


def test_streamed(node_results: dict[str, Any]) -> None:
    got = value(node_results, "streamed")
    assert got["text"].startswith(echo(GREETING))
    assert got["verdict"] in ("allow", "modify")


def test_parallel_tool_round_trip(node_results: dict[str, Any]) -> None:
    got = value(node_results, "toolRoundTrip")
    assert got["names"] == ["get_weather", "get_time"]
    assert got["arguments"] == [{"city": WEATHER_QUESTION}] * 2
    assert got["answer"].startswith(f"Tool said: {WEATHER_RESULT}; {TIME_RESULT}")
    assert value(node_results, "streamedTools")["names"] == ["get_weather", "get_time"]


def test_two_choices(node_results: dict[str, Any]) -> None:
    texts = value(node_results, "twoChoices")["texts"]
    assert len(texts) == 2 and texts[1].startswith(f"(2) {echo(GREETING)}")


def test_json_modes(node_results: dict[str, Any], policy_set: str) -> None:
    got = value(node_results, "jsonObject")
    assert got["parsed"] == {"answer": echo(GREETING)}
    assert bool(got["disclosure"]) is (policy_set == "default")
    assert value(node_results, "jsonSchema")["parsed"] == {"answer": echo(GREETING), "confidence": 1.5}


def test_errors(node_results: dict[str, Any]) -> None:
    got = value(node_results, "errors")
    assert got["missingModel"] == {"status": 404, "name": "NotFoundError", "code": "model_not_found"}
    assert got["badKey"]["status"] == 401 and got["badKey"]["name"] == "AuthenticationError"
    assert got["unsupported"]["status"] == 404 and got["unsupported"]["code"] == "unsupported_endpoint"


def test_personal_data(node_results: dict[str, Any], compat_proxy: ProxyHarness) -> None:
    person = node_results["_person"]
    got = value(node_results, "personalData")
    assert person["email"] in got["text"] and person["email"] in got["streamed"]
    assert_never_sent(compat_proxy, person["email"], person["name"])
