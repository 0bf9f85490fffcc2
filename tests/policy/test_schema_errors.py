"""Invalid policies are refused with the file, line and field to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrail.policy import PolicyError, PolicyStore


def _problems(directory: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        PolicyStore(directory).load()
    return [str(p) for p in caught.value.problems]


def test_unknown_field_names_file_line_and_field(write):
    directory = write(
        "tone.yaml",
        """\
        rules:
          - id: tone.banned
            type: banned_phrases
            phrases: [cheap]
            severty: high
        """,
    )
    assert _problems(directory) == [
        "tone.yaml:5: rules[0].banned_phrases.severty: unknown field (check the spelling)"
    ]


def test_bad_value_points_at_its_line(write):
    directory = write(
        "tone.yaml",
        """\
        rules:
          - id: ok
            type: shouting
          - id: tone.promises
            type: forbidden_promises
            severity: apocalyptic
        """,
    )
    [problem] = _problems(directory)
    assert problem.startswith("tone.yaml:6: rules[1].forbidden_promises.severity:")
    assert "unknown severity 'apocalyptic'" in problem


def test_invalid_regex_points_at_the_pattern(write):
    directory = write(
        "p.yaml",
        """\
        rules:
          - id: blame
            type: customer_blame
            patterns:
              en:
                - 'fine'
                - '(unclosed'
        """,
    )
    [problem] = _problems(directory)
    assert problem.startswith("p.yaml:7: rules[0].customer_blame.patterns.en[1]:")
    assert "invalid regular expression" in problem


def test_unknown_rule_type(write):
    [problem] = _problems(write("p.yaml", "rules:\n  - id: x\n    type: telepathy\n"))
    assert problem.startswith("p.yaml:2: rules[0]:") and "telepathy" in problem


def test_missing_slot_pattern(write):
    directory = write(
        "p.yaml",
        """\
        rules:
          - id: refunds
            type: approved_messages
            topic: {name: refunds, keywords: [refund]}
            messages:
              - id: m1
                text: "Refund for {order_id} started."
        """,
    )
    [problem] = _problems(directory)
    assert problem.startswith("p.yaml:6: rules[0].approved_messages.messages:")
    assert "{order_id}" in problem


def test_yaml_syntax_error_has_a_line(write):
    [problem] = _problems(write("p.yaml", "rules:\n  - id: x\n    type: [unclosed\n"))
    assert problem.startswith("p.yaml:") and "(yaml)" in problem


def test_duplicate_key_is_an_error(write):
    directory = write("p.yaml", "rules:\n  - id: a\n    type: shouting\n    type: length\n")
    assert _problems(directory) == ["p.yaml:4: type: duplicate key"]


def test_duplicate_rule_id_across_files(write):
    write("a.yaml", "rules:\n  - id: same\n    type: shouting\n")
    directory = write("b.yaml", "rules:\n  - {id: other, type: length}\n  - {id: same, type: length}\n")
    [problem] = _problems(directory)
    assert problem.startswith("b.yaml:3: rules[1].id:") and "a.yaml" in problem


def test_include_matching_nothing_is_an_error(write):
    directory = write("sets/default.yaml", "set: default\ninclude:\n  - shared/*.yaml\n")
    assert _problems(directory) == ["sets/default.yaml:3: include[0]: 'shared/*.yaml' matches no policy file"]


def test_override_of_unknown_rule(write):
    write("shared/tone.yaml", "rules:\n  - {id: tone.shouting, type: shouting}\n")
    directory = write(
        "sets/default.yaml",
        """\
        set: default
        include: [shared/*.yaml]
        overrides:
          tone.shoutin: {shadow: true}
        """,
    )
    [problem] = _problems(directory)
    assert problem.startswith("sets/default.yaml:4: overrides.tone.shoutin:")


def test_several_sets_need_a_default(write):
    write("a.yaml", "set: alpha\n")
    [problem] = _problems(write("b.yaml", "set: beta\n"))
    assert "none is named 'default'" in problem


def test_every_problem_is_reported(write):
    write("a.yaml", "rules:\n  - {id: a, type: shouting, bogus: 1}\n")
    directory = write("b.yaml", "texts: {fallback: {en: ''}}\n")
    problems = _problems(directory)
    assert [p.split(":")[0] for p in problems] == ["a.yaml", "b.yaml"]


def test_missing_directory(tmp_path):
    problems = _problems(tmp_path / "nope")
    assert "no such directory" in problems[0]


def test_a_pattern_the_linear_engine_cannot_run_is_rejected(write) -> None:
    """Look-arounds and back-references need backtracking, which can take
    super-linear time on customer text: such a pattern is a policy error."""
    directory = write(
        "p.yaml",
        """\
        rules:
          - id: handoff
            type: handoff
            patterns:
              en: ['talk(?=\\s+to)']
        """,
    )
    [problem] = _problems(directory)
    assert "rules[0].handoff.patterns.en[0]" in problem
    assert "look-arounds" in problem
