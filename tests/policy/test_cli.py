"""`guardrail policy check|test` through click's runner."""

from __future__ import annotations

from click.testing import CliRunner

from guardrail.cli.policy import policy_group

from .conftest import REPO_POLICIES


def test_check_ok_on_shipped_policies():
    result = CliRunner().invoke(policy_group, ["check", str(REPO_POLICIES)])
    assert result.exit_code == 0, result.output
    assert "ok: set default version" in result.output


def test_check_reports_file_line_field_and_fails(write):
    directory = write("p.yaml", "rules:\n  - id: a\n    type: shouting\n    max_caps_run: lots\n")
    result = CliRunner().invoke(policy_group, ["check", str(directory)])
    assert result.exit_code == 1
    assert "error: p.yaml:4: rules[0].shouting.max_caps_run:" in result.output


def test_directory_from_environment(write):
    directory = write("p.yaml", "rules: []\n")
    result = CliRunner().invoke(policy_group, ["check"], env={"GUARDRAIL_POLICIES": str(directory)})
    assert result.exit_code == 0 and "set default" in result.output


def test_test_command_table_and_exit_codes(write):
    write("p.yaml", "rules:\n  - {id: tone.banned, type: banned_phrases, phrases: [cheap]}\n")
    directory = write(
        "cases/tone.yaml",
        """\
        cases:
          - id: flags-cheap
            answer: so cheap
            expect: {action: hold, rules: [tone.banned]}
          - id: wrong-expectation
            answer: fine lamp
            expect: {action: block}
        """,
    )
    result = CliRunner().invoke(policy_group, ["test", str(directory)])
    assert result.exit_code == 1
    assert "PASS  flags-cheap" in result.output and "FAIL  wrong-expectation" in result.output
    assert "FAIL wrong-expectation (cases/tone.yaml): action allow (expected block)" in result.output
    assert "1 passed, 1 failed" in result.output


def test_strict_requires_a_case_per_rule(write):
    write("p.yaml", "rules:\n  - {id: a, type: banned_phrases, phrases: [x]}\n  - {id: b, type: shouting}\n")
    directory = write("cases/c.yaml", "cases:\n  - {id: c, answer: x, expect: {action: hold}}\n")
    assert CliRunner().invoke(policy_group, ["test", str(directory)]).exit_code == 0
    strict = CliRunner().invoke(policy_group, ["test", "--strict", str(directory)])
    assert strict.exit_code == 1 and "no case makes rule default:b fire" in strict.output


def test_bad_case_file_names_the_line(write):
    write("p.yaml", "rules: []\n")
    directory = write("cases/c.yaml", "cases:\n  - id: c\n    answer: x\n    expect: {action: maybe}\n")
    result = CliRunner().invoke(policy_group, ["test", str(directory)])
    assert result.exit_code == 1 and "cases/c.yaml:4: cases[0].expect.action" in result.output
