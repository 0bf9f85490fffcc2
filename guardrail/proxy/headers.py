"""The X-Guardrail-* headers that tell an app what the proxy did."""

from __future__ import annotations

VERDICT = "X-Guardrail-Verdict"
POLICY_VERSION = "X-Guardrail-Policy-Version"
HOLD_ID = "X-Guardrail-Hold-Id"
CONVERSATION_ID = "X-Guardrail-Conversation-Id"
HOLD_MODE = "X-Guardrail-Hold-Mode"
HOLD_WAIT = "X-Guardrail-Hold-Wait"
# "required" when the app must show the AI disclosure itself (`guardrail.disclosure`).
DISCLOSURE = "X-Guardrail-Disclosure"
# The verdict header on a stream released as it is checked: the final verdict
# is in the `guardrail` field of the stream's last chunk with a choice.
STREAMING_VERDICT = "streaming"
