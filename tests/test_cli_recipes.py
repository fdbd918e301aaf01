"""The recipes a user copies: pre-commit hooks, the CI step, exit codes (issue 10)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from postman_codegen.cli import main

ROOT = Path(__file__).resolve().parent.parent


def hooks() -> dict[str, dict[str, str]]:
    """`.pre-commit-hooks.yaml` read as the flat list of mappings it is."""
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in (ROOT / ".pre-commit-hooks.yaml").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = re.fullmatch(r"(- |  )(\w+): (.*)", line)
        assert m, line
        if m.group(1) == "- ":
            current = {}
        current[m.group(2)] = m.group(3)
        if "id" in current:
            out[current["id"]] = current
    return out


def test_pre_commit_hooks_run_the_real_commands() -> None:
    found = hooks()
    assert set(found) == {"postman-codegen-check", "postman-codegen-generate"}
    for hook_id, hook in found.items():
        argv = shlex.split(hook["entry"])
        assert argv[0] == "postman-codegen"
        assert argv[1] == hook_id.removeprefix("postman-codegen-")
        assert hook["language"] == "python"
        assert hook["pass_filenames"] == "false"
        # The command line the hook runs is one the CLI accepts.
        result = CliRunner().invoke(main, [*argv[1:], "--help"])
        assert result.exit_code == 0, result.output


def test_the_readme_documents_installing_ci_and_pre_commit() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Use it in your project", 1)[1].split("\n## ", 1)[0]
    for needle in ("pipx install", "pip install", ".whl", "[tool.postman-codegen]",
                   "postman-codegen generate", "postman-codegen check", "runs-on:",
                   "- run: postman-codegen check", "postman-codegen-check",
                   "postman-codegen-generate", "exits 0", "1 (with the reason"):
        assert needle in section, needle


def test_no_message_names_make() -> None:
    for path in [*(ROOT / "generator" / "postman_codegen").glob("*.py"),
                 *(ROOT / "templates").glob("*.jinja")]:
        assert "make generate" not in path.read_text(), path
        assert "make check" not in path.read_text(), path


def test_help_states_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "Exit codes: 0 in sync, 1 drift (check), 2 bad input or usage." in result.output


def test_usage_errors_are_exit_2() -> None:
    result = CliRunner().invoke(main, ["generate", "--no-such-flag"])
    assert result.exit_code == 2
