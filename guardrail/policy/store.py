"""The policies in force, and their hot reload.

A reload validates the whole directory first and swaps the sets in one
assignment; a broken edit is logged with file, line and field, recorded in
`errors`, and the last good version stays in force. Never "no checks": a
directory emptied while running also keeps the last good version.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import PolicyError, Problem
from .loader import DEFAULT_SET, LoadedPolicies, gateway_set, load_directory, policy_files
from .policy_set import PolicySet
from .semantic import SemanticResources

logger = logging.getLogger(__name__)


class PolicyStore:
    def __init__(
        self,
        directory: Path | None,
        *,
        reload_interval: float = 1.0,
        models: Mapping[str, Mapping[str, Any]] | None = None,
        semantic: SemanticResources | None = None,
    ) -> None:
        self.directory = Path(directory) if directory is not None else None
        self._models = dict(models or {})
        # The bundled model is loaded the first time a semantic rule needs it.
        self.semantic = semantic or SemanticResources()
        self.reload_interval = reload_interval
        self._policies: LoadedPolicies | None = None
        self._problems: list[Problem] = []
        self._fingerprint: str | None = None

    @property
    def loaded(self) -> bool:
        return self._policies is not None

    @property
    def errors(self) -> list[str]:
        """Problems of the latest (re)load, as 'file:line: field: message'."""
        return [str(p) for p in self._problems]

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @property
    def set_names(self) -> list[str]:
        return sorted(self._policies.sets) if self._policies else []

    def load(self) -> None:
        """Initial load: raises PolicyError (file, line, field) when invalid."""
        if self.directory is None:
            self._policies = LoadedPolicies({DEFAULT_SET: gateway_set()}, DEFAULT_SET)
            return
        try:
            fingerprint = self._current_fingerprint()
        except OSError as exc:
            raise PolicyError(
                [Problem(str(self.directory), None, "(directory)", exc.strerror or "cannot read")]
            ) from None
        self._policies = load_directory(self.directory, self._models, self.semantic)
        self._fingerprint, self._problems = fingerprint, []
        logger.info("policies loaded: %s", self._describe())

    def get(self, policy_set: str | None) -> PolicySet:
        policies = self._policies
        if policies is None:
            raise PolicyError("policies are not loaded yet")
        name = policy_set or policies.default
        try:
            return policies.sets[name]
        except KeyError:
            raise PolicyError(
                f"unknown policy set {name!r}; known: {', '.join(sorted(policies.sets))}"
            ) from None

    def reload(self) -> bool:
        """One poll: reload if any policy file changed. True if new sets are in force."""
        if self.directory is None:
            return False
        try:
            fingerprint = self._current_fingerprint()
        except OSError as exc:
            return self._keep(
                [Problem(str(self.directory), None, "(directory)", f"cannot read: {exc.strerror}")], None
            )
        if fingerprint == self._fingerprint:
            return False
        try:
            loaded = load_directory(self.directory, self._models, self.semantic)
        except PolicyError as exc:
            return self._keep(exc.problems, fingerprint)
        if self._policies is not None and not policy_files(self.directory):
            problem = Problem(
                str(self.directory),
                None,
                "(directory)",
                "no policy files left; restart to run without policies",
            )
            return self._keep([problem], fingerprint)
        self._policies, self._fingerprint, self._problems = loaded, fingerprint, []
        logger.info("policies reloaded: %s", self._describe())
        return True

    async def watch(self) -> None:
        """Poll for edits until cancelled; run as a background task."""
        while True:
            await asyncio.sleep(self.reload_interval)
            try:
                await asyncio.to_thread(self.reload)
            except Exception:  # the watcher must outlive any surprise
                logger.exception("policy reload crashed; last good policies stay in force")

    def _keep(self, problems: list[Problem], fingerprint: str | None) -> bool:
        if fingerprint is None or fingerprint != self._fingerprint:
            for problem in problems:
                logger.error("policy reload rejected, last good version kept: %s", problem)
        self._problems, self._fingerprint = problems, fingerprint or self._fingerprint
        return False

    def _current_fingerprint(self) -> str:
        # Contents, not mtimes: two saves within one timestamp tick still differ.
        directory = self.directory
        if directory is None or not directory.is_dir():
            raise FileNotFoundError(2, "no such directory")
        digest = hashlib.sha256()
        for path in policy_files(directory):
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()

    def _describe(self) -> str:
        policies = self._policies
        if policies is None:
            return "none"
        return ", ".join(f"{s.name}@{s.version} ({len(s.rules)} rules)" for s in policies.sets.values())
