"""The generator on the seed collections in collections/: files, types, round trips."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import COLLECTIONS, ROOT
from helpers import (
    check_example,
    count_collection,
    import_package,
    json_examples,
    load_collection,
    mypy,
    subprocess_env,
    tree_bytes,
)

PACKAGES = ("salesforce_bulk", "zoho_crm")


@pytest.fixture(scope="module")
def out(seeds_out: Path) -> Path:
    return seeds_out


@pytest.fixture(scope="module")
def packages(out: Path) -> dict[str, Any]:
    return {name: import_package(out / name) for name in PACKAGES}


def _other_hash_seed() -> str:
    """A PYTHONHASHSEED unlike this process's: set and string hashes iterate in
    another order, so output that depends on it differs."""
    mine = os.environ.get("PYTHONHASHSEED", "random")
    return str(int(mine) + 1) if mine.isdigit() else "0"


def test_generation_is_byte_identical_under_another_hash_seed(out: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    done = subprocess.run(
        [sys.executable, "-m", "postman_codegen", "generate", "-q", "-j", "1", "-o",
         str(again), str(COLLECTIONS)],
        capture_output=True, text=True, check=False, cwd=tmp_path, timeout=300,
        env=subprocess_env(PYTHONHASHSEED=_other_hash_seed()),
    )
    assert done.returncode == 0, done.stderr
    assert tree_bytes(again) == tree_bytes(out)


def test_committed_generated_folder_is_what_the_generator_writes(out: Path) -> None:
    committed = ROOT / "generated"
    for path in out.rglob("*"):
        if path.is_file():
            rel = path.relative_to(out)
            assert (committed / rel).read_bytes() == path.read_bytes(), f"stale: {rel}"


def test_package_layout(out: Path) -> None:
    for name in PACKAGES:
        for f in ("__init__.py", "client.py", "models.py", "py.typed", "_runtime.py", "README.md"):
            assert (out / name / f).is_file(), f"{name}/{f}"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_json_example_round_trips_and_matches_jmespath(
    name: str, packages: dict[str, Any]
) -> None:
    collection = load_collection(COLLECTIONS / f"{name}.postman_collection.json")
    checked = 0
    for ep, where, t, body in json_examples(packages[name], collection):
        assert check_example(t, body) > 0, where
        checked += 1
    assert checked == count_collection(collection).typed_examples


def test_zoho_v2_and_v21_return_one_merged_job_details(packages: dict[str, Any]) -> None:
    zoho = packages["zoho_crm"]
    by_qual = {ep.qualname: ep for ep in zoho.ENDPOINTS}
    assert set(by_qual) == {"v2.job_details", "v2_1.job_details"}
    assert by_qual["v2.job_details"].response_type is zoho.JobDetails
    assert by_qual["v2_1.job_details"].response_type is zoho.JobDetails
    fields = {f.name: f for f in dataclasses.fields(zoho.Resource)}
    # `module` is a string on v2 and an object on v2.1: a union parsed by kind.
    assert fields["module"].type == "str | Module"
    assert "Unset" in fields["file"].type  # only v2.1 has it
    top = {f.name: f.type for f in dataclasses.fields(zoho.JobDetails)}
    assert top["result"] == "Result | Unset"
    assert top["created_time"] == "datetime"


def test_salesforce_datetime_placeholders_stay_strings(packages: dict[str, Any]) -> None:
    sf = packages["salesforce_bulk"]
    fields = {f.name: f.type for f in dataclasses.fields(sf.GetJobInfo)}
    assert fields["created_date"] == "str"  # "<datetime>" is a placeholder
    assert fields["api_version"] == "int"
    old = {f.name: f.type for f in dataclasses.fields(sf.GetJobDetails)}
    assert old["created_date"] == "str"  # "+0000" is not RFC 3339
    assert old["api_version"] == "float"


def test_every_field_records_its_json_key(packages: dict[str, Any]) -> None:
    sf = packages["salesforce_bulk"]
    keys = {f.name: f.metadata.get("json_key", f.name) for f in dataclasses.fields(sf.GetJobInfo)}
    assert keys["created_by_id"] == "createdById"
    assert keys["object_"] == "object"  # `object` is a builtin the class body uses


def test_endpoints_describe_every_request(packages: dict[str, Any]) -> None:
    sf = packages["salesforce_bulk"]
    info, details = sf.ENDPOINTS
    assert (info.name, info.method, info.source) == ("get_job_info", "GET", "item[0]")
    assert info.url == "{{_endpoint}}/services/data/v{{version}}/jobs/ingest/{{_jobId}}"
    assert info.response_type is sf.GetJobInfo and info.error_type is None
    assert details.source == "item[1]"


def test_type_mismatch_raises_parse_error_with_path(packages: dict[str, Any]) -> None:
    zoho = packages["zoho_crm"]
    collection = load_collection(COLLECTIONS / "zoho_crm.postman_collection.json")
    import json

    body = json.loads(collection["item"][0]["item"][0]["response"][0]["body"])
    body["resource"][0]["field_mappings"][2]["index"] = "two"
    with pytest.raises(zoho.ParseError) as err:
        zoho.JobDetails.from_dict(body)
    assert err.value.path == "$.resource[0].field_mappings[2].index"
    assert (err.value.expected, err.value.actual) == ("integer", "string")


def test_unknown_keys_are_kept(packages: dict[str, Any]) -> None:
    zoho = packages["zoho_crm"]
    body = {"code": "X", "details": {}, "message": "m", "status": "error", "new": [1]}
    assert zoho.JobDetailsError.to_dict(zoho.JobDetailsError.from_dict(body)) == body


def test_generated_code_passes_mypy_strict(out: Path) -> None:
    result = mypy([out / name for name in PACKAGES])
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_code_passes_ruff(out: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", str(out)],
        check=False, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_code_is_black_formatted(out: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "-q", str(out)],
        check=False, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
