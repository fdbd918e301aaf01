"""Every input ends in exit 0 or 2 without a traceback, and collection text cannot
drive the terminal (issue 12, items 8 and 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import import_package, run_cli
from postman_codegen.errors import cut, cut_line, terminal_safe

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def collection(*items: dict[str, Any], name: str = "Hostile") -> dict[str, Any]:
    return {"info": {"name": name, "schema": SCHEMA}, "item": list(items)}


def request(name: str = "Get thing", url: str = "https://api.example.com/things",
            responses: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "request": {"method": "GET", "url": url, **extra},
            "response": responses or []}


def ok(body: Any, code: object = 200) -> dict[str, Any]:
    return {"name": "ok", "code": code, "body": body if isinstance(body, str) else json.dumps(body)}


CASES: dict[str, tuple[str, str, str]] = {
    # name: (JSON text of the collection, expected JSON path, expected message part)
    "surrogate-in-url": (
        json.dumps(collection(request(url="https://api.example.com/\ud800"))),
        "$.item[0].request.url", "lone surrogate"),
    "surrogate-in-example": (
        json.dumps(collection(request(responses=[ok(json.dumps({"a": "\ud800"}))]))),
        "$.item[0].response[0].body", "lone surrogate"),
    "huge-number-in-body-with-variable": (
        json.dumps(collection({"name": "Create", "request": {
            "method": "POST", "url": "https://api.example.com/x",
            "body": {"mode": "raw", "raw": '{"a": 1e400, "b": "{{value}}"}',
                     "options": {"raw": {"language": "json"}}}}})),
        "$.item[0].request.body.raw", "too large for a float"),
    "superscript-status-code": (
        json.dumps(collection(request(responses=[ok({"a": 1}, code="²")]))),
        "$.item[0].response[0]", "²"),
    "hangul-jamo-folder": (
        json.dumps(collection({"name": "\u1100 \u1161", "item": [request()]})),
        "$.item[0].name", "Hangul conjoining jamo"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_is_exit_0_or_2_with_file_and_json_path(tmp_path: Path, case: str) -> None:
    text, path, message = CASES[case]
    src = tmp_path / "hostile.postman_collection.json"
    src.write_text(text)
    result = run_cli("generate", "-q", "-j", "1", "-o", tmp_path / "out", src)
    assert "Traceback" not in result.output
    if result.exit_code == 0:  # the generator learnt to handle it: it must be importable
        assert import_package(tmp_path / "out" / "hostile").ENDPOINTS
        return
    assert result.exit_code == 2, result.output
    assert f"error: hostile.postman_collection.json: {path}: " in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out" / "hostile").exists()


def test_jamo_in_keys_and_names_never_give_a_traceback(tmp_path: Path) -> None:
    src = tmp_path / "jamo.postman_collection.json"
    src.write_text(json.dumps(collection(
        {"name": "\u1100", "item": [request(name="\u1161\u11a8", responses=[
            ok({"a\u1100": {"\u1161": 1}, "\u1100\u1161": 2, "_\u1161": 3})])]})))
    result = run_cli("generate", "-q", "-j", "1", "-o", tmp_path / "out", src)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert import_package(tmp_path / "out" / "jamo").ENDPOINTS
    else:
        assert "error: jamo.postman_collection.json: $." in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    src = tmp_path / "hostile.postman_collection.json"
    src.write_text(CASES["superscript-status-code"][0])
    result = run_cli("generate", "-q", "--debug", "-o", tmp_path / "out", src)
    assert result.exit_code == 2
    assert "Traceback" in result.stderr


OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZWNobyBldmls\x07"


def test_check_diff_never_sends_terminal_escapes_from_the_collection(tmp_path: Path) -> None:
    src = tmp_path / "api.postman_collection.json"
    src.write_text(json.dumps(collection(request(responses=[ok({"a": 1})]))))
    assert run_cli("generate", "-q", "-j", "1", "-o", tmp_path / "out", src).exit_code == 0
    src.write_text(json.dumps(collection(request(
        name=f"Get {OSC_TITLE} thing\u202e",
        description=f"Copy {OSC_CLIPBOARD} this \u2066 \u200b\x9b31m",
        responses=[ok({"a": 1, f"k{OSC_TITLE}": "\x1b[31mred"})]))))
    result = run_cli("check", "-j", "1", "-o", tmp_path / "out", src)
    assert result.exit_code == 1
    for raw in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u200b"):
        assert raw not in result.output, repr(raw)
    assert "+++ b/api/client.py" in result.stdout


def test_warnings_and_errors_escape_control_characters(tmp_path: Path) -> None:
    src = tmp_path / "api.postman_collection.json"
    src.write_text(json.dumps(collection(request(
        name=f"x{OSC_TITLE}", responses=[ok("<html>not json</html>")]))))
    result = run_cli("generate", "-j", "1", "-o", tmp_path / "out", src)
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "x\\x1b]0;pwned\\x07" in result.stderr


def test_a_huge_value_is_cut_in_the_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.postman-codegen]\n{"k" * 1_000_000} = 1\n')
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate")
    assert result.exit_code == 2
    assert len(result.stderr) < 1200
    assert "more characters)" in result.stderr


def test_terminal_safe_escapes_controls_and_format_characters_only() -> None:
    assert terminal_safe("a\x1b[2Jb\r\x00\x85\u2028\u202e\ufeff") == (
        "a\\x1b[2Jb\\x0d\\x00\\x85\\u2028\\u202e\\ufeff")
    assert terminal_safe("line\n\tindented", keep="\n\t") == "line\n\tindented"
    assert terminal_safe("日本語 ü é 가") == "日本語 ü é 가"


def test_cut_keeps_short_values_and_says_how_much_was_left_out() -> None:
    assert cut("short") == "short"
    assert cut("x" * 300) == "x" * 200 + "... (100 more characters)"
    line = cut_line("bad value '" + "v" * 5000 + "' here")
    assert line.endswith("' here") and "more characters" in line and len(line) < 400
