"""Read YAML while keeping the node tree, so errors can name a line.

pydantic reports a location as a path of keys and indexes; `line_of` walks
the same path through PyYAML's nodes, whose marks know where they came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import Problem


@dataclass(frozen=True)
class YamlDocument:
    """One parsed policy file: its data, node tree and raw bytes (for hashing)."""

    name: str  # path relative to the policy directory, for messages
    data: Any
    root: yaml.Node | None
    content: bytes

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in loc:
            child = _child(node, part)
            if child is None:
                # pydantic inserts union tags and other non-path parts; skip them.
                continue
            node, line = child
        return line

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        return Problem(self.name, self.line_of(loc), _field(loc), message)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, int] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                # A scalar value sits on its key's line; a block starts below it.
                line = (key if isinstance(value, yaml.ScalarNode) else value).start_mark.line
                return value, line + 1
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item, item.start_mark.line + 1
    return None


def _field(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


# libyaml's parser when PyYAML has it: the default set's semantic examples
# are thousands of lines, which the pure-Python parser reads ten times slower.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(name: str, content: bytes) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one file. Duplicate keys are an error: PyYAML would silently keep
    the last one, and a rule that vanishes unnoticed is a rule switched off."""
    try:
        loader = _LOADER(content.decode("utf-8"))
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        return None, [Problem(name, None, "(file)", "not UTF-8 text")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [Problem(name, line, "(yaml)", str(exc.problem or exc))]
    except yaml.YAMLError as exc:
        return None, [Problem(name, None, "(yaml)", str(exc))]
    problems = _duplicate_keys(name, root) if root is not None else []
    return YamlDocument(name, data, root, content), problems


def _duplicate_keys(name: str, node: yaml.Node) -> list[Problem]:
    problems: list[Problem] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        line = key.start_mark.line + 1
                        problems.append(Problem(name, line, key.value, "duplicate key"))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return problems
