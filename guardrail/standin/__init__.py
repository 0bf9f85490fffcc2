"""A scripted, offline stand-in for an LLM provider (demo, tests, benchmarks).

It speaks the OpenAI chat-completions protocol over real HTTP and never calls
any network; its answers come from a script, not from a model.
"""

from guardrail.standin.protocol import protocol_responder
from guardrail.standin.provider import Reply, StandInProvider, echo_responder
from guardrail.standin.server import ThreadedServer

__all__ = ["Reply", "StandInProvider", "ThreadedServer", "echo_responder", "protocol_responder"]
