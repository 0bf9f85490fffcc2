"""The libraries behind the checks never reach for the network at run time
(textstat's syllable indexes would download NLTK's cmudict)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO_POLICIES

SCRIPT = f"""
import socket
def refuse(*args, **kwargs):
    raise SystemExit("network access attempted")
socket.socket.connect = refuse
socket.create_connection = refuse
from pathlib import Path
from guardrail.policy import PolicyStore
from guardrail.types import CheckContext
store = PolicyStore(Path({str(REPO_POLICIES)!r}))
store.load()
text = ("Notwithstanding comprehensive institutional considerations, organizational "
        "adjudication necessitates documentation. ") * 8 + "You are pathetic. Damn."
verdict = store.get(None).check_answer(text, CheckContext(first_answer=True))
print(sorted({{f.rule_id for f in verdict.findings}}))
"""


def test_checks_run_with_the_network_refused():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for rule in ("tone.reading-level", "semantic.rude", "tone.profanity"):
        assert rule in result.stdout
