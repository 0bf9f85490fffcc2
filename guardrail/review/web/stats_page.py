"""The admin view of rule precision: the `guardrail review stats` table,
sortable by any column, every number linking to the holds behind it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from guardrail.review.reviewers import Role
from guardrail.review.stats import COLUMNS, ReviewStats, RuleStats, review_stats
from guardrail.review.web.site import ReviewSite, Visitor

# Window presets: name -> seconds (None: everything the label log keeps).
WINDOWS: dict[str, float | None] = {"1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400,
                                    "all": None}
SORTS = ("rule", *COLUMNS, "precision", "median")
_MAX_LISTED = 500


def _choices(params: Mapping[str, str]) -> dict[str, str]:
    window = params.get("since", "7d")
    sort = params.get("sort", "holds")
    return {
        "since": window if window in WINDOWS else "7d",
        "app": params.get("app", "")[:100],
        "sort": sort if sort in SORTS else "holds",
        "order": "asc" if params.get("order") == "asc" else "desc",
    }


async def _stats(site: ReviewSite, chosen: Mapping[str, str]) -> ReviewStats:
    seconds = WINDOWS[chosen["since"]]
    since = None if seconds is None else time.time() - seconds
    return await review_stats(site.queue, since=since, app=chosen["app"] or None)


def _sort_key(sort: str) -> Any:
    def key(row: RuleStats) -> Any:
        if sort == "rule":
            return row.rule_id
        if sort == "precision":
            return -1.0 if row.precision is None else row.precision
        if sort == "median":
            return -1.0 if row.median_seconds is None else row.median_seconds
        return row.count(sort)

    return key


async def stats_page(site: ReviewSite, request: Request, visitor: Visitor) -> Response:
    if visitor.reviewer is None or visitor.reviewer.role is not Role.ADMIN:
        return site.message(request, visitor, 403, "admin_only")
    chosen = _choices(request.query_params)
    result = await _stats(site, chosen)
    rows = sorted(result.rules, key=_sort_key(chosen["sort"]), reverse=chosen["order"] == "desc")
    if result.reports.count("holds"):
        rows.append(result.reports)
    base = {"since": chosen["since"], "app": chosen["app"]}

    def sort_link(column: str) -> str:
        order = "asc" if chosen["sort"] == column and chosen["order"] == "desc" else "desc"
        return "?" + urlencode({**base, "sort": column, "order": order})

    def holds_link(row: RuleStats, column: str) -> str:
        return urlencode({**base, "rule": row.rule_id, "shadow": int(row.shadow),
                                          "column": column})

    return site.render(request, visitor, "stats.html", rows=rows, chosen=chosen,
                       windows=list(WINDOWS), columns=COLUMNS, headers=SORTS, sort_link=sort_link,
                       holds_link=holds_link)


async def stats_holds_page(site: ReviewSite, request: Request, visitor: Visitor) -> Response:
    """The holds behind one number of the table."""
    if visitor.reviewer is None or visitor.reviewer.role is not Role.ADMIN:
        return site.message(request, visitor, 403, "admin_only")
    chosen = _choices(request.query_params)
    column = request.query_params.get("column", "holds")
    if column not in COLUMNS:
        column = "holds"
    rule = request.query_params.get("rule", "")[:200]
    shadow = request.query_params.get("shadow") == "1"
    result = await _stats(site, chosen)
    candidates = [*result.rules, result.reports]
    row = next((r for r in candidates if r.rule_id == rule and r.shadow == shadow), None)
    ids = row.hold_ids[column][-_MAX_LISTED:][::-1] if row else []
    back = urlencode({"since": chosen["since"], "app": chosen["app"]})
    return site.render(request, visitor, "stats_holds.html", rule=rule, shadow=shadow,
                       column=column, hold_ids=ids, chosen=chosen, back=back)
