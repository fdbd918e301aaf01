"""Bad input files: exit code 2, one message naming the file and the JSON path, no traceback.

The files are in tests/fixtures/hostile/bad/. A failed run writes nothing: an output
folder from an earlier run stays exactly as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import COLLECTIONS
from helpers import generate, run_cli

BAD = Path(__file__).resolve().parent / "fixtures" / "hostile" / "bad"
GOOD = COLLECTIONS / "salesforce_bulk.postman_collection.json"

# file stem -> (JSON path, what the message says)
CASES = {
    "empty": ("$", "file is empty"),
    "whitespace": ("$", "file is empty"),
    "not_json": ("$", "not valid JSON: Expecting value at line 1 column 1"),
    "truncated": ("$", "not valid JSON"),
    "binary": ("$", "binary file, expected a Postman collection (JSON)"),
    "not_utf8": ("$", "not UTF-8 text"),
    "nan": ("$", "NaN is not allowed in JSON"),
    "array": ("$", "expected a Postman collection object, found an array"),
    "item_object": ("$.item", "expected an array of items, found an object"),
    "item_number": ("$.item[0].item[1]", "expected an item object, found a number"),
    "missing_info": ("$", "not a Postman collection: no `info`, `item` or `request`"),
    "missing_item": ("$.item", "a collection needs an `item` array"),
    "info_string": ("$.info", "expected an object, found a string"),
    "unknown_schema": ("$.info.schema", "unsupported schema"),
    "v1": ("$", "Postman collection v1 is not supported"),
    "response_object": ("$.item[0].response", "expected an array of responses, found an object"),
    "url_number": ("$.item[0].request.url", "expected a URL string or object, found a number"),
}


def bad(stem: str) -> Path:
    return BAD / f"{stem}.postman_collection.json"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_fixture_has_a_case() -> None:
    stems = {p.name.removesuffix(".postman_collection.json") for p in BAD.iterdir()}
    assert stems == set(CASES)


@pytest.mark.parametrize("stem", sorted(CASES))
def test_bad_file_exits_2_with_one_message_naming_file_and_path(
    stem: str, tmp_path: Path,
) -> None:
    path, message = CASES[stem]
    result = run_cli("generate", "-o", tmp_path / "out", bad(stem))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and f"{bad(stem).name}: {path}: " in lines[0], lines
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("stem", ["empty", "binary", "item_number", "unknown_schema"])
def test_check_mode_reports_bad_input_as_exit_2_not_drift(stem: str, tmp_path: Path) -> None:
    result = run_cli("check", "-o", tmp_path / "out", bad(stem))
    assert result.exit_code == 2
    assert bad(stem).name in result.stderr


def test_bad_file_among_good_ones_leaves_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    generate(GOOD, out)
    before = snapshot(out)
    result = run_cli("generate", "-q", "-o", out, GOOD, bad("item_number"))
    assert result.exit_code == 2
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated"], "no staging left behind"


def test_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    result = run_cli("generate", "--debug", "-o", tmp_path / "out", bad("truncated"))
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert "truncated.postman_collection.json: $: not valid JSON" in result.stderr


def test_missing_source_exits_2_naming_it(tmp_path: Path) -> None:
    result = run_cli("generate", "-o", tmp_path / "out", tmp_path / "nope.json")
    assert result.exit_code == 2
    assert "nope.json" in result.stderr and "no such file or folder" in result.stderr
    assert "Traceback" not in result.output


def test_folder_without_collections_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("generate", "-o", tmp_path / "out", tmp_path / "empty")
    assert result.exit_code == 2
    assert "no collections found" in result.stderr


def test_bad_environment_file_exits_2_naming_it(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "api.postman_collection.json")
    (tmp_path / "api.postman_environment.json").write_text("{not json")
    result = run_cli("generate", "-o", tmp_path / "out", tmp_path / "api.postman_collection.json")
    assert result.exit_code == 2
    assert "api.postman_environment.json: $: not valid JSON" in result.stderr
    assert "Traceback" not in result.output


def test_environment_without_values_exits_2_naming_the_path(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "api.postman_collection.json")
    (tmp_path / "api.postman_environment.json").write_text('{"values": {"a": 1}}')
    result = run_cli("generate", "-o", tmp_path / "out", tmp_path / "api.postman_collection.json")
    assert result.exit_code == 2
    assert "api.postman_environment.json: $.values:" in result.stderr


def test_bad_configuration_exits_2_naming_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.postman-codegen\nsources = 3\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate")
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr
    assert "Traceback" not in result.output


def test_wrong_configuration_types_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.postman-codegen]\nsources = 3\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate")
    assert result.exit_code == 2
    assert "sources" in result.stderr


def test_unknown_option_is_a_usage_error() -> None:
    result = run_cli("generate", "--no-such-flag")
    assert result.exit_code == 2
