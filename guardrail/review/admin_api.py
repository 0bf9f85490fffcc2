"""Admin endpoints, mounted at `/review/api/admin`: app keys, reviewers and
the policy sets in force. Only reviewers with the admin role get in; every
change is written to the audit log (ids and names, never secrets)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from guardrail.app_keys import KeyStore
from guardrail.audit import AuditLog, AuditUnavailable
from guardrail.errors import ApiError
from guardrail.json_body import parse_json
from guardrail.review.http import authenticate, error_response, unauthorized
from guardrail.review.model import QueueUnavailable
from guardrail.review.reviewers import Reviewer, ReviewerExists, ReviewerStore, Role

logger = logging.getLogger(__name__)

AdminHandler = Callable[[Request, Reviewer], Awaitable[Response]]


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app: str = Field(min_length=1, max_length=100)


class NewReviewer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    role: Role = Role.REVIEWER
    can_reveal: bool = False


def admin_api_routes(reviewers: ReviewerStore, keys: KeyStore, policies: Any, audit: AuditLog) -> list[Route]:
    def admin(handler: AdminHandler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                reviewer = await authenticate(reviewers, request)
                if reviewer is None:
                    return unauthorized()
                if reviewer.role is not Role.ADMIN:
                    return error_response(403, "admin role required", code="admin_required")
                return await handler(request, reviewer)
            except (QueueUnavailable, AuditUnavailable):
                return error_response(503, "the store is unavailable", code="store_unavailable")

        return endpoint

    async def list_keys(request: Request, who: Reviewer) -> Response:
        found = await keys.list()
        data = [{"id": k.key_id, "app": k.app, "created": k.created, "revoked": k.revoked} for k in found]
        return JSONResponse({"object": "list", "data": data})

    async def create_key(request: Request, who: Reviewer) -> Response:
        body = await _parse(request, NewKey)
        if isinstance(body, Response):
            return body
        try:
            secret, key = await keys.create(body.app)
        except ValueError as exc:
            return error_response(400, str(exc), code="invalid_app", param="app")
        await audit.record("admin.key_created", key_id=key.key_id, app=key.app, reviewer=who.name)
        # The only time the key is shown.
        return JSONResponse(
            {"id": key.key_id, "app": key.app, "key": secret},
            status_code=201,
            headers={"Cache-Control": "no-store"},
        )

    async def revoke_key(request: Request, who: Reviewer) -> Response:
        key_id = request.path_params["key_id"]
        if not await keys.revoke(key_id):
            return error_response(404, "no such key", code="not_found")
        await audit.record("admin.key_revoked", key_id=key_id, reviewer=who.name)
        return JSONResponse({"id": key_id, "revoked": True})

    async def list_reviewers(request: Request, who: Reviewer) -> Response:
        return JSONResponse({"object": "list", "data": [r.to_dict() for r in await reviewers.list()]})

    async def add_reviewer(request: Request, who: Reviewer) -> Response:
        body = await _parse(request, NewReviewer)
        if isinstance(body, Response):
            return body
        try:
            added, token = await reviewers.add(body.name, body.role, can_reveal=body.can_reveal)
        except ValueError as exc:
            return error_response(400, str(exc), code="invalid_name", param="name")
        except ReviewerExists:
            return error_response(409, "a reviewer with this name exists", code="exists", param="name")
        await audit.record("admin.reviewer_added", name=added.name, role=str(added.role), reviewer=who.name)
        return JSONResponse(
            {**added.to_dict(), "token": token}, status_code=201, headers={"Cache-Control": "no-store"}
        )

    async def remove_reviewer(request: Request, who: Reviewer) -> Response:
        name = request.path_params["name"]
        if name == who.name:
            return error_response(400, "admins cannot remove themselves", code="self_removal")
        if not await reviewers.remove(name):
            return error_response(404, "no such reviewer", code="not_found")
        await audit.record("admin.reviewer_removed", name=name, reviewer=who.name)
        return JSONResponse({"name": name, "removed": True})

    async def policy_status(request: Request, who: Reviewer) -> Response:
        return JSONResponse(_policy_status(policies))

    async def reload_policies(request: Request, who: Reviewer) -> Response:
        # File reads and validation: off the event loop.
        changed = await asyncio.to_thread(policies.reload)
        await audit.record("admin.policies_reloaded", changed=changed, reviewer=who.name)
        return JSONResponse({"changed": changed, **_policy_status(policies)})

    return [
        Route("/keys", admin(list_keys), methods=["GET"]),
        Route("/keys", admin(create_key), methods=["POST"]),
        Route("/keys/{key_id}", admin(revoke_key), methods=["DELETE"]),
        Route("/reviewers", admin(list_reviewers), methods=["GET"]),
        Route("/reviewers", admin(add_reviewer), methods=["POST"]),
        Route("/reviewers/{name}", admin(remove_reviewer), methods=["DELETE"]),
        Route("/policies", admin(policy_status), methods=["GET"]),
        Route("/policies/reload", admin(reload_policies), methods=["POST"]),
    ]


def _policy_status(policies: Any) -> dict[str, Any]:
    sets = []
    for name in policies.set_names:
        policy = policies.get(name)
        sets.append(
            {
                "name": name,
                "version": policy.version,
                "rules": [rule.id for rule in policy.rules],
                "streaming": policy.streaming,
                "files": list(policy.files),
            }
        )
    # Errors of the latest reload: the last good version stays in force.
    return {"loaded": policies.loaded, "sets": sets, "errors": policies.errors}


async def _parse(request: Request, model: type[BaseModel]) -> Any:
    try:
        raw = parse_json(await request.body())
    except ApiError as exc:
        return exc.response()
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        return error_response(400, f"{field}: {first['msg']}", code="invalid_request", param=field)
