"""Read a policy directory into policy sets: parse, validate, merge, build.

Layout: every `*.yaml` / `*.yml` under the directory except `cases/` (the
example cases) and hidden files. A file with `set: NAME` is a set manifest;
it `include`s shared files by glob. With no manifest at all, every file
makes one set called `default`. With no file at all there are no checks
(a pure gateway). Every problem found is reported, not just the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import PolicyError, Problem
from .policy_set import PolicySet, Rule
from .rules import REGISTRY, BuildEnv, RuleConfig
from .schema import PolicyFile, override
from .texts import Texts
from .yaml_source import YamlDocument, parse

DEFAULT_SET = "default"
CASES_DIR = "cases"
EMPTY_VERSION = hashlib.sha256(b"").hexdigest()[:16]


def policy_files(directory: Path) -> list[Path]:
    found = [p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(p for p in found if _is_policy(p.relative_to(directory)))


def _is_policy(relative: Path) -> bool:
    parts = relative.parts
    return parts[0] != CASES_DIR and not any(part.startswith(".") for part in parts)


@dataclass
class _Source:
    doc: YamlDocument
    model: PolicyFile


@dataclass
class LoadedPolicies:
    sets: dict[str, PolicySet]
    default: str
    problems: list[Problem] = field(default_factory=list)


def gateway_set() -> PolicySet:
    """No policy files: no checks, and a `pii` section that enables nothing."""
    return PolicySet(DEFAULT_SET, EMPTY_VERSION)


def load_directory(
    directory: Path, models: Mapping[str, Mapping[str, Any]] | None = None, semantic: Any = None
) -> LoadedPolicies:
    """Load every set in `directory`, or raise PolicyError naming every problem."""
    if not directory.is_dir():
        raise PolicyError([Problem(str(directory), None, "(directory)", "no such directory")])
    paths = policy_files(directory)
    if not paths:
        return LoadedPolicies({DEFAULT_SET: gateway_set()}, DEFAULT_SET)
    problems: list[Problem] = []
    sources: dict[str, _Source] = {}
    for path in paths:
        name = path.relative_to(directory).as_posix()
        source = _read(name, path, problems)
        if source is not None:
            sources[name] = source
    if problems:
        raise PolicyError(problems)
    manifests = {n: s for n, s in sources.items() if s.model.set is not None}
    plans: dict[str, list[_Source]] = {}
    if not manifests:
        plans[DEFAULT_SET] = list(sources.values())
    for manifest in manifests.values():
        set_name = manifest.model.set or DEFAULT_SET
        if set_name in plans:
            problems.append(manifest.doc.problem(["set"], f"set {set_name!r} is defined twice"))
            continue
        plans[set_name] = [*_included(directory, manifest, sources, problems), manifest]
    sets = {name: _build(name, parts, problems, models or {}, semantic) for name, parts in plans.items()}
    default = _default_name(sets, manifests, problems)
    if problems:
        raise PolicyError(problems)
    return LoadedPolicies(sets, default)


def _read(name: str, path: Path, problems: list[Problem]) -> _Source | None:
    try:
        content = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, None, "(file)", f"cannot read: {exc.strerror}"))
        return None
    doc, parse_problems = parse(name, content)
    problems += parse_problems
    if doc is None or parse_problems:
        return None
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        problems.append(doc.problem([], "a policy file must be a mapping of sections"))
        return None
    try:
        return _Source(doc, PolicyFile.model_validate(data))
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            problems.append(doc.problem(error["loc"], _message(error)))
        return None


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    return str(error["msg"])


def _included(
    directory: Path, manifest: _Source, sources: dict[str, _Source], problems: list[Problem]
) -> list[_Source]:
    parts: list[_Source] = []
    for index, pattern in enumerate(manifest.model.include):
        names = sorted(p.relative_to(directory).as_posix() for p in directory.glob(pattern))
        names = [n for n in names if n in sources and n != manifest.doc.name]
        if not names:
            # A typo here would silently drop rules: it is an error.
            problems.append(manifest.doc.problem(["include", index], f"{pattern!r} matches no policy file"))
        for name in names:
            if sources[name].model.set is not None:
                problems.append(
                    manifest.doc.problem(
                        ["include", index], f"{name} is a set manifest; include only shared files"
                    )
                )
            elif sources[name] not in parts:
                parts.append(sources[name])
    return parts


def _single(parts: list[_Source], section: str, problems: list[Problem]) -> Any:
    """A section that only one shared file may define; the manifest overrides."""
    *shared, manifest = parts
    defined = [p for p in shared if getattr(p.model, section) is not None]
    for extra in defined[1:]:
        problems.append(
            extra.doc.problem(
                [section], f"'{section}' is also defined in {defined[0].doc.name}; define it once per set"
            )
        )
    if getattr(manifest.model, section) is not None:
        return getattr(manifest.model, section)
    return getattr(defined[0].model, section) if defined else None


def _build(
    name: str,
    parts: list[_Source],
    problems: list[Problem],
    models: Mapping[str, Mapping[str, Any]],
    semantic: Any = None,
) -> PolicySet:
    configs: list[RuleConfig] = []
    where: dict[str, tuple[_Source, int]] = {}
    for part in parts:
        for index, rule in enumerate(part.model.rules):
            if rule.id in where:
                first = where[rule.id][0].doc
                problems.append(
                    part.doc.problem(["rules", index, "id"], f"rule id {rule.id!r} also used in {first.name}")
                )
                continue
            where[rule.id] = (part, index)
            configs.append(rule)
    manifest = parts[-1]
    for rule_id in manifest.model.overrides:
        if rule_id not in where:
            problems.append(
                manifest.doc.problem(["overrides", rule_id], f"no rule {rule_id!r} in set {name!r}")
            )
    configs = [
        override(c, manifest.model.overrides[c.id]) if c.id in manifest.model.overrides else c
        for c in configs
    ]
    texts: dict[str, dict[str, str]] = {}
    for part in parts:
        for key, by_language in part.model.texts.items():
            texts.setdefault(key, {}).update(by_language)
    env = BuildEnv(Texts(texts), tuple(configs), models, semantic)
    rules = []
    for config in configs:
        rule_type = REGISTRY[config.type]  # type: ignore[attr-defined]
        try:
            rules.append(Rule(config, rule_type.factory(config, env), rule_type.stage))
        except Exception as exc:  # a rule that cannot be built is a policy error
            part, index = where[config.id]
            problems.append(part.doc.problem(["rules", index], f"cannot build rule: {exc}"))
    return PolicySet(
        name,
        _version(parts),
        rules=rules,
        texts=Texts(texts),
        risk=_single(parts, "risk", problems),
        hold=_single(parts, "hold", problems),
        pii=_single(parts, "pii", problems),
        files=[p.doc.name for p in parts],
    )


def _version(parts: list[_Source]) -> str:
    """Content hash of every file that made the set (names and bytes)."""
    digest = hashlib.sha256()
    for part in sorted(parts, key=lambda p: p.doc.name):
        digest.update(part.doc.name.encode() + b"\0" + part.doc.content + b"\0")
    return digest.hexdigest()[:16]


def _default_name(sets: dict[str, PolicySet], manifests: dict[str, _Source], problems: list[Problem]) -> str:
    if DEFAULT_SET in sets or not sets:
        return DEFAULT_SET
    if len(sets) == 1:
        return next(iter(sets))
    first = next(iter(manifests.values()))
    problems.append(
        first.doc.problem(
            ["set"],
            f"several sets ({', '.join(sorted(sets))}) and "
            f"none is named {DEFAULT_SET!r}; name the default one so",
        )
    )
    return DEFAULT_SET
