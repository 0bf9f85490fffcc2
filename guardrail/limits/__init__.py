"""Rate limits shared by every replica through Redis: per app, and on reviewer sign-ins."""

from guardrail.limits.app_limits import AppRateLimiter, LimitDecision
from guardrail.limits.middleware import AppRateLimitMiddleware
from guardrail.limits.signin import SignInLimiter, SignInLimitMiddleware

__all__ = [
    "AppRateLimitMiddleware",
    "AppRateLimiter",
    "LimitDecision",
    "SignInLimitMiddleware",
    "SignInLimiter",
]
