"""The human-review queue: holds, decisions, webhooks, reviewer API.

What the rest of guardrail uses:
- `ReviewQueue` to park answers and wait for outcomes (proxy), and to
  claim/decide them (reviewer API, CLI, review page);
- `WebhookDispatcher.run()` and `ReviewQueue.run_deadlines()` as lifespan tasks;
- `review_api_routes(...)` mounted at `/review/api`, plus `hold_status_route`
  and `feedback_route` for apps;
- `ResponseLog.record_response(...)` called by the proxy for each answer.
"""

from guardrail.review.api import review_api_routes
from guardrail.review.app_routes import (
    feedback_handler,
    feedback_route,
    hold_status_handler,
    hold_status_route,
)
from guardrail.review.http import authenticate
from guardrail.review.listing import HoldFilter
from guardrail.review.model import (
    Conflict,
    Decision,
    Hold,
    HoldKind,
    HoldNotFound,
    HoldStatus,
    InvalidDecision,
    Outcome,
    QueueUnavailable,
    ReviewError,
    TimeoutOutcome,
)
from guardrail.review.queue import ReviewQueue, new_hold_id
from guardrail.review.responses import ResponseLog, ResponseRecord
from guardrail.review.reviewers import Reviewer, ReviewerExists, ReviewerStore, Role
from guardrail.review.webhooks import (
    SIGNATURE_HEADER,
    WebhookDispatcher,
    WebhookTarget,
    sign,
    verify_signature,
)

__all__ = [
    "SIGNATURE_HEADER",
    "Conflict",
    "Decision",
    "Hold",
    "HoldFilter",
    "HoldKind",
    "HoldNotFound",
    "HoldStatus",
    "InvalidDecision",
    "Outcome",
    "QueueUnavailable",
    "ResponseLog",
    "ResponseRecord",
    "ReviewError",
    "ReviewQueue",
    "Reviewer",
    "ReviewerExists",
    "ReviewerStore",
    "Role",
    "TimeoutOutcome",
    "WebhookDispatcher",
    "WebhookTarget",
    "authenticate",
    "feedback_handler",
    "feedback_route",
    "hold_status_handler",
    "hold_status_route",
    "new_hold_id",
    "review_api_routes",
    "sign",
    "verify_signature",
]
