"""Settings: command-line options and GUARDRAIL_* variables, plus guardrail.yaml.

Every CLI option has an env variable and a field here (uvicorn's model). The
YAML file adds what does not fit on a command line: the model list (LiteLLM's
own `model_list` format, so a LiteLLM user can reuse theirs) and the apps.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ENV_REFERENCE_PREFIX = "os.environ/"
DEFAULT_BODY_LIMIT = 2 * 1024 * 1024
# Feedback, the reviewer and admin APIs and the review page: small bodies.
DEFAULT_API_BODY_LIMIT = 256 * 1024
DEFAULT_MAX_MESSAGE_CHARS = 32_000
DEFAULT_MAX_REQUEST_CHARS = 128_000
DEFAULT_CHECK_DEADLINE_SECONDS = 10.0
# Settings that guardrail.yaml may give too (env and CLI win), with their variables.
_FILE_SETTINGS = {
    "max_body_bytes": "GUARDRAIL_MAX_BODY_BYTES",
    "max_api_body_bytes": "GUARDRAIL_MAX_API_BODY_BYTES",
    "max_message_chars": "GUARDRAIL_MAX_MESSAGE_CHARS",
    "max_request_chars": "GUARDRAIL_MAX_REQUEST_CHARS",
    "check_deadline_seconds": "GUARDRAIL_CHECK_DEADLINE_SECONDS",
    "trusted_proxies": "GUARDRAIL_TRUSTED_PROXIES",
}


class ConfigError(Exception):
    """guardrail.yaml or a setting is invalid; the message names the field."""


class ModelEntry(BaseModel):
    """One entry of LiteLLM's `model_list`: the public name and how to call it."""

    model_config = ConfigDict(extra="allow")

    model_name: str
    litellm_params: dict[str, Any]

    @field_validator("litellm_params")
    @classmethod
    def _needs_model(cls, params: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(params.get("model"), str) or not params["model"]:
            raise ValueError("litellm_params.model is required")
        return params


class RateLimit(BaseModel):
    """Per-app limits over a minute, shared by every replica through Redis."""

    model_config = ConfigDict(extra="forbid")

    requests_per_minute: int | None = Field(default=None, gt=0)
    tokens_per_minute: int | None = Field(default=None, gt=0)


class AppConfig(BaseModel):
    """An app (tenant): which policy set it uses and where its holds are reported."""

    model_config = ConfigDict(extra="forbid")

    name: str
    policy_set: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # Reviewers with the reveal right may see real values only where the app allows it.
    reveal_allowed: bool = False
    rate_limit: RateLimit = Field(default_factory=RateLimit)


class UpstreamSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = 60.0
    max_retries: int = Field(default=2, ge=0, le=10)
    # Call plain OpenAI-compatible models (`openai/<name>` + `api_base`) with
    # one pooled httpx client instead of litellm: same behaviour, far less CPU.
    lean_openai_path: bool = True
    # Request fields outside OpenAI's chat parameters (what an SDK's
    # `extra_body` adds) that both upstream paths forward; all others are dropped.
    extra_fields: list[str] = Field(default_factory=lambda: ["top_k", "min_p", "repetition_penalty"])


class ReviewSettings(BaseModel):
    """The review queue's timings (env GUARDRAIL_REVIEW_*, or `review:` in guardrail.yaml)."""

    model_config = ConfigDict(extra="forbid")

    # A claim lasts this long without a decision; then the item goes back to the queue.
    claim_seconds: float = Field(default=300.0, gt=0, le=86400)
    # An open item this close to its deadline is flagged on the page and in metrics.
    due_soon_seconds: float = Field(default=60.0, ge=0)
    # How long decision labels are kept for `review stats` (holds: 7 days).
    label_retention_days: float = Field(default=365.0, gt=0)

    def queue_options(self) -> dict[str, Any]:
        """Keyword arguments for `ReviewQueue`."""
        return {
            "lease_seconds": self.claim_seconds,
            "due_soon_seconds": self.due_soon_seconds,
            "label_retention_seconds": int(self.label_retention_days * 86400),
        }


_REVIEW_ENV = {
    "claim_seconds": "GUARDRAIL_REVIEW_CLAIM_SECONDS",
    "due_soon_seconds": "GUARDRAIL_REVIEW_DUE_SOON_SECONDS",
    "label_retention_days": "GUARDRAIL_REVIEW_LABEL_RETENTION_DAYS",
}


class MetricsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    # Serve /metrics on its own port instead of the proxy's (e.g. not exposed publicly).
    port: int | None = Field(default=None, gt=0, lt=65536)
    # Require `Authorization: Bearer <token>`; `os.environ/NAME` is read at start.
    bearer_token: str | None = None


class TracingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    # OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces; unset: the
    # exporter's own OTEL_EXPORTER_OTLP_* variables apply.
    otlp_endpoint: str | None = None
    service_name: str = "guardrail"
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)


class SignInLimit(BaseModel):
    """Failed reviewer sign-ins allowed per reviewer name and per client address."""

    model_config = ConfigDict(extra="forbid")

    failures: int = Field(default=10, gt=0)
    window_seconds: int = Field(default=300, gt=0)


class ObservabilitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)


class ConfigFile(BaseModel):
    """The shape of guardrail.yaml."""

    model_config = ConfigDict(extra="forbid")

    model_list: list[ModelEntry] = Field(default_factory=list)
    apps: list[AppConfig] = Field(default_factory=list)
    upstream: UpstreamSettings = Field(default_factory=UpstreamSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    redis_url: str | None = None
    vault_keys: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=DEFAULT_BODY_LIMIT, gt=0)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    reviewer_signin_limit: SignInLimit = Field(default_factory=SignInLimit)
    max_api_body_bytes: int = Field(default=DEFAULT_API_BODY_LIMIT, gt=0)
    max_message_chars: int = Field(default=DEFAULT_MAX_MESSAGE_CHARS, gt=0)
    max_request_chars: int = Field(default=DEFAULT_MAX_REQUEST_CHARS, gt=0)
    check_deadline_seconds: float = Field(default=DEFAULT_CHECK_DEADLINE_SECONDS, gt=0)
    trusted_proxies: list[str] = Field(default_factory=list)


class Settings(BaseModel):
    """Everything the app factory needs. Built by `Settings.from_env()` or by
    the CLI, never read from globals after that."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    config_path: Path | None = None
    policies_dir: Path | None = None
    data_dir: Path = Path(".guardrail")
    redis_url: str | None = None
    redis_prefix: str = "guardrail:"
    redis_cluster: bool = False
    redis_sentinels: list[str] = Field(default_factory=list)
    redis_sentinel_master: str = "mymaster"
    redis_max_connections: int = Field(default=50, ge=2)
    redis_pool_timeout_seconds: float = Field(default=20.0, gt=0)
    max_waiting_holds: int = Field(default=1000, ge=0)
    vault_keys: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=DEFAULT_BODY_LIMIT, gt=0)
    max_api_body_bytes: int = Field(default=DEFAULT_API_BODY_LIMIT, gt=0)
    # Text one request may give the detectors and checks (characters): past
    # either limit the request is refused with a 413, nothing is sent.
    max_message_chars: int = Field(default=DEFAULT_MAX_MESSAGE_CHARS, gt=0)
    max_request_chars: int = Field(default=DEFAULT_MAX_REQUEST_CHARS, gt=0)
    # Wall-clock limit on one request's detection and on one answer's checks;
    # past it the request is refused (503) or the answer held.
    check_deadline_seconds: float = Field(default=DEFAULT_CHECK_DEADLINE_SECONDS, gt=0)
    # Addresses of TLS-terminating proxies whose X-Forwarded-Proto is believed.
    trusted_proxies: list[str] = Field(default_factory=list)
    log_level: str = "info"
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    log_format: Literal["text", "json"] = "text"
    file: ConfigFile = Field(default_factory=ConfigFile)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Env variables, then guardrail.yaml, then explicit overrides (CLI)."""
        env = os.environ
        values: dict[str, Any] = {
            "host": env.get("GUARDRAIL_HOST"),
            "port": env.get("GUARDRAIL_PORT"),
            "workers": env.get("GUARDRAIL_WORKERS"),
            "config_path": env.get("GUARDRAIL_CONFIG"),
            "policies_dir": env.get("GUARDRAIL_POLICIES"),
            "data_dir": env.get("GUARDRAIL_DATA_DIR"),
            "redis_url": env.get("REDIS_URL") or env.get("GUARDRAIL_REDIS_URL"),
            "redis_prefix": env.get("GUARDRAIL_REDIS_PREFIX"),
            "redis_cluster": env.get("GUARDRAIL_REDIS_CLUSTER"),
            "redis_sentinels": _split_keys(env.get("GUARDRAIL_REDIS_SENTINELS")),
            "redis_sentinel_master": env.get("GUARDRAIL_REDIS_SENTINEL_MASTER"),
            "redis_max_connections": env.get("GUARDRAIL_REDIS_MAX_CONNECTIONS"),
            "redis_pool_timeout_seconds": env.get("GUARDRAIL_REDIS_POOL_TIMEOUT"),
            "max_waiting_holds": env.get("GUARDRAIL_MAX_WAITING_HOLDS"),
            "vault_keys": _split_keys(env.get("GUARDRAIL_VAULT_KEYS")),
            **{name: env.get(variable) for name, variable in _FILE_SETTINGS.items()},
            "log_level": env.get("GUARDRAIL_LOG_LEVEL"),
            "log_format": env.get("GUARDRAIL_LOG_FORMAT"),
        }
        values["trusted_proxies"] = _split_keys(values["trusted_proxies"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        values = {k: v for k, v in values.items() if v not in (None, [])}
        config_path = values.get("config_path")
        if config_path is None and Path("guardrail.yaml").is_file():
            values["config_path"] = config_path = "guardrail.yaml"
        if config_path is not None:
            file = load_config_file(Path(config_path))
            values["file"] = file
            # The file fills what neither env nor CLI set.
            values.setdefault("redis_url", file.redis_url)
            if not values.get("vault_keys"):
                values["vault_keys"] = file.vault_keys
            for name in _FILE_SETTINGS:
                if name not in values:
                    values[name] = getattr(file, name)
        if "review" not in values:
            base = values["file"].review.model_dump() if "file" in values else {}
            from_env = {k: env[name] for k, name in _REVIEW_ENV.items() if env.get(name)}
            values["review"] = {**base, **from_env}
        values = {k: v for k, v in values.items() if v is not None}
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigError(_describe(exc, "settings")) from None

    @property
    def shared_prefix(self) -> str:
        """The prefix of keys that scripts and transactions touch together
        (review queue, audit log, app keys, reviewers). On Redis Cluster it
        carries a hash tag so they share one slot; conversation data (the
        vault, the response log) keeps `redis_prefix` and spreads over the
        cluster."""
        return hash_tagged(self.redis_prefix) if self.redis_cluster else self.redis_prefix

    def app_config(self, name: str) -> AppConfig:
        """The app's own section of guardrail.yaml, or defaults for a bare key."""
        for app in self.file.apps:
            if app.name == name:
                return app
        return AppConfig(name=name)


def load_config_file(path: Path) -> ConfigFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    try:
        return ConfigFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, str(path))) from None


def resolve_env_references(value: Any) -> Any:
    """Replace LiteLLM-style `os.environ/NAME` strings with the variable's value.

    Resolved at call time, not at load time, so a rotated secret is picked up
    and secrets never sit in the parsed settings object.
    """
    if isinstance(value, str) and value.startswith(ENV_REFERENCE_PREFIX):
        name = value[len(ENV_REFERENCE_PREFIX) :]
        if name not in os.environ:
            raise ConfigError(f"environment variable {name} is referenced but not set")
        return os.environ[name]
    if isinstance(value, dict):
        return {k: resolve_env_references(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env_references(v) for v in value]
    return value


def hash_tagged(prefix: str) -> str:
    """`guardrail:` -> `{guardrail}:`; a prefix that has a hash tag is kept."""
    start = prefix.find("{")
    if start != -1 and prefix.find("}", start + 2) != -1:
        return prefix
    return "{" + prefix.rstrip(":") + "}:"


def _split_keys(raw: str | None) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else []


def _describe(exc: ValidationError, source: str) -> str:
    problems = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "(top level)"
        problems.append(f"{source}: {location}: {error['msg']}")
    return "\n".join(problems)


def default_policies_dir() -> Path:
    """./policies when run from a checkout or a directory that has one, else
    the policies shipped beside the package (editable installs, the demo)."""
    local = Path("policies")
    if local.is_dir():
        return local
    return Path(__file__).resolve().parent.parent / "policies"
