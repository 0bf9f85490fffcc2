"""De-identify personal data on the way in, restore it on the way out.

    service = PiiService(redis, prefix="guardrail:", vault_keys=[key])
    protected = await service.protect(messages, scope=app, conversation_id=None, policy=policy)
    ... send protected.messages upstream ...
    answer = protected.restore(model_text)

Detection (analyzer, recognizers/) is kept apart from transformation
(placeholders, vault, restore, streaming).
"""

from guardrail.pii.analyzer import Analyzer
from guardrail.pii.conversation import ProtectedConversation
from guardrail.pii.errors import PiiUnavailable
from guardrail.pii.policy import DEFAULT_ENTITIES, EntityRule, PiiAction, PiiPolicy
from guardrail.pii.restore import SpanMap
from guardrail.pii.service import PiiService
from guardrail.pii.streaming import StreamRestorer

__all__ = [
    "DEFAULT_ENTITIES",
    "Analyzer",
    "EntityRule",
    "PiiAction",
    "PiiPolicy",
    "PiiService",
    "PiiUnavailable",
    "ProtectedConversation",
    "SpanMap",
    "StreamRestorer",
]
