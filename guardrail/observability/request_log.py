"""One structured line per request, and the log formats (`--log-format`).

The line carries ids, kinds, counts and times: request id, app, model,
status, verdict, rule ids, hold id, latencies, token usage. Never message
text, personal values or placeholders. Errors are logged by type and
request id only.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from guardrail.observability.record import RequestRecord

REQUEST_LOGGER = "guardrail.requests"
LOG_FORMATS = ("text", "json")

logger = logging.getLogger(REQUEST_LOGGER)


def request_fields(record: RequestRecord, total_seconds: float) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "request_id": record.request_id,
        "method": record.method,
        "path": record.path,
        "status": record.status,
        "app": record.app,
        "model": record.model,
        "verdict": record.final_verdict,
        "rules": record.rules,
        "hold_id": record.hold_id,
        "latency_ms": _ms(total_seconds),
        "stages_ms": {name: _ms(s) for name, s in sorted(record.stage_seconds.items())},
    }
    if record.usage:
        fields["usage"] = dict(record.usage)
    if record.entities:
        fields["pii_entities"] = dict(sorted(record.entities.items()))
    if record.check_errors:
        fields["check_errors"] = record.check_errors
    if record.rate_limited:
        fields["rate_limited"] = record.rate_limited
    if record.error:
        fields["error"] = record.error
    return {k: v for k, v in fields.items() if v not in (None, [], {})}


def log_request(record: RequestRecord, total_seconds: float, *, quiet: bool = False) -> None:
    """`quiet` lines (probes, scrapes, static files) go out at debug level."""
    fields = request_fields(record, total_seconds)
    level = logging.DEBUG if quiet else logging.INFO
    if (record.status or 0) >= 500:
        level = logging.ERROR
    # The message is a short summary for the text format; the JSON format
    # writes the fields themselves.
    logger.log(
        level,
        "%s %s %s %s",
        record.method,
        record.path,
        record.status,
        fields.get("verdict", "-"),
        extra={"request": fields},
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


class JsonFormatter(logging.Formatter):
    """One JSON object per line. A request line puts its fields at the top
    level; other records carry their (already content-free) message."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,  # which worker, under --workers > 1
        }
        request = getattr(record, "request", None)
        if isinstance(request, dict):
            out["event"] = "request"
            out.update(request)
        else:
            out["message"] = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception messages can quote request content.
            out["exception"] = record.exc_info[0].__name__
        return json.dumps(out, ensure_ascii=False, separators=(",", ":"), default=str)


class TextFormatter(logging.Formatter):
    """Plain lines; a request line appends its fields as key=value pairs."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info
        record.exc_info = None  # never print a traceback's messages
        try:
            line = super().format(record)
        finally:
            record.exc_info = saved
        request = getattr(record, "request", None)
        if isinstance(request, dict):
            pairs = " ".join(
                f"{k}={_text_value(v)}" for k, v in request.items() if k not in ("method", "path")
            )
            line = f"{line} {pairs}"
        if saved and saved[0] is not None:
            line += f" exception={saved[0].__name__}"
        return line


def _text_value(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the server and its workers (uvicorn
    applies it in every worker process)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
    formatter = "guardrail.observability.request_log." + (
        "JsonFormatter" if log_format == "json" else "TextFormatter"
    )
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": formatter}},
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default",
                        "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "": {"handlers": ["default"], "level": level},
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            # Access lines would duplicate the request line (and carry query strings).
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
