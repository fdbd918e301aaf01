"""With nothing changed nothing is rendered; otherwise only changed files are
compiled and formatted, black runs with the collector off, and a progress bar
appears only on long runs on a terminal (issue 11)."""

from __future__ import annotations

import gc
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import postman_codegen.cli
import postman_codegen.output
from conftest import Trees
from helpers import copy_tree, run_cli
from postman_codegen.cli import Progress

FIXTURES = Path(__file__).parent / "fixtures" / "output"
SHOP = FIXTURES / "shop.postman_collection.json"


def _build_project(root: Path) -> None:
    (root / "apis").mkdir(parents=True)
    shutil.copy(SHOP, root / "apis" / SHOP.name)
    result = run_cli("generate", "-q", "-j", "1", "-o", root / "out", root / "apis")
    assert result.exit_code == 0, result.output


@pytest.fixture
def project(tmp_path: Path, trees: Trees) -> Path:
    """apis/shop.postman_collection.json generated into out/ (built once, copied)."""
    return copy_tree(trees.get("fast-path-project", _build_project), tmp_path / "project")


def refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("rendered although nothing changed")


def test_nothing_changed_renders_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postman_codegen.cli, "plan_all", refuse)
    monkeypatch.setattr(postman_codegen.cli, "build_tree", refuse)
    for command in ("generate", "check"):
        result = run_cli(command, "-o", project / "out", project / "apis")
        assert result.exit_code == 0, result.output
        assert "up to date" in result.stderr


def test_stats_plans_but_renders_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postman_codegen.cli, "_render", refuse)
    result = run_cli("stats", project / "apis")
    assert result.exit_code == 0, result.output
    assert "| shop " in result.stdout


def test_nothing_changed_imports_neither_jinja_nor_black(project: Path) -> None:
    code = (
        "import sys\n"
        "from postman_codegen.cli import main\n"
        "try:\n"
        f"    main([sys.argv[1], '-q', '-o', {str(project / 'out')!r}, {str(project / 'apis')!r}])\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, 'jinja2' in sys.modules, 'black' in sys.modules,\n"
        "          'postman_codegen.plan' in sys.modules)\n"
    )
    for command in ("check", "generate"):
        done = subprocess.run([sys.executable, "-c", code, command], capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.stdout.split() == ["0", "False", "False", "False"], done.stderr


def test_a_hand_edited_file_is_not_fresh(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = project / "out" / "shop" / "models.py"
    models.write_text(models.read_text() + "# edit\n")
    formatted: list[str] = []
    real = postman_codegen.output._format_one
    monkeypatch.setattr(postman_codegen.output, "_format_one",
                        lambda item, *a: formatted.append(item[0]) or real(item, *a))
    assert run_cli("generate", "-q", "-j", "1", "-o", project / "out",
                   project / "apis").exit_code == 0
    assert "# edit" not in models.read_text()
    assert len(formatted) == 1, "only the edited file is formatted again"


def test_only_files_whose_rendered_text_changed_are_compiled_and_formatted(
    project: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = project / "apis" / SHOP.name
    data = json.loads(path.read_text())
    data["item"][1]["response"][0]["body"] = json.dumps({"ok": True, "uptime": 3})
    path.write_text(json.dumps(data))
    compiled: list[str] = []
    formatted: list[str] = []
    real_compile = postman_codegen.output.check_compiles
    real_format = postman_codegen.output._format_one
    monkeypatch.setattr(postman_codegen.output, "check_compiles",
                        lambda rel, *args: compiled.append(rel) or real_compile(rel, *args))
    monkeypatch.setattr(postman_codegen.output, "_format_one",
                        lambda item, *a: formatted.append(item[0]) or real_format(item, *a))
    result = run_cli("generate", "-q", "-j", "1", "-o", project / "out", project / "apis")
    assert result.exit_code == 0, result.output
    assert "shop/models.py" in compiled
    assert "shop/_runtime.py" not in compiled and "shop/__init__.py" not in compiled
    assert sorted(compiled) == sorted(formatted)


def test_black_runs_with_the_garbage_collector_off_and_restores_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import black

    seen: list[bool] = []
    real = black.format_str

    def spy(text: str, *, mode: Any) -> str:
        seen.append(gc.isenabled())
        return real(text, mode=mode)

    monkeypatch.setattr(black, "format_str", spy)
    assert gc.isenabled()
    assert postman_codegen.output.format_python("x = ( 1, )\n") == "x = (1,)\n"
    assert seen == [False]
    assert gc.isenabled()


def test_a_compile_failure_is_exit_2_naming_the_file(
    project: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stands in for code `ast.parse` accepts and CPython refuses (21 nested blocks)."""
    real = postman_codegen.cli._render

    def broken(pkg: Any, templates: Any, sink: Any = None) -> dict[str, str]:
        files = real(pkg, templates, sink)
        files["models.py"] += "\n" + "".join(
            " " * i + f"for x{i} in y:\n" for i in range(25)) + " " * 25 + "pass\n"
        return files

    monkeypatch.setattr(postman_codegen.cli, "_render", broken)
    (project / "apis" / SHOP.name).write_text(SHOP.read_text().replace("first", "second"))
    result = run_cli("generate", "-q", "-o", project / "out", project / "apis")
    assert result.exit_code == 2
    assert "error: generated shop/models.py does not compile (SyntaxError: too many " in result.stderr


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_appears_only_after_the_delay_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(postman_codegen.cli, "PROGRESS_DELAY", 0.0)
    bar = Progress(enabled=True)
    bar.phase("formatting", 100)
    bar.update(50)
    bar.update(100)
    bar.close()
    assert "formatting" in term.getvalue()
    assert "100%" in term.getvalue()


@pytest.mark.parametrize(("enabled", "tty", "delay"), [
    (False, True, 0.0),  # -q
    (True, False, 0.0),  # a pipe or a log
    (True, True, 60.0),  # a short run
])
def test_the_progress_bar_stays_silent(monkeypatch: pytest.MonkeyPatch, enabled: bool,
                                       tty: bool, delay: float) -> None:
    stream = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(postman_codegen.cli, "PROGRESS_DELAY", delay)
    bar = Progress(enabled=enabled)
    bar.phase("rendering", 3)
    for i in range(4):
        bar.update(i)
    bar.close()
    assert stream.getvalue() == ""


def test_a_long_run_into_a_pipe_writes_no_progress(
    project: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postman_codegen.cli, "PROGRESS_DELAY", 0.0)
    (project / "out" / "postman-codegen.lock").unlink()
    result = run_cli("generate", "-j", "1", "-o", project / "out", project / "apis")
    assert result.exit_code == 0
    assert "rendering" not in result.stderr and "formatting" not in result.stderr
