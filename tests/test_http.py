"""Generated clients called for real over HTTP, against a local server replaying examples."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import COLLECTIONS
from helpers import import_package, load_collection
from server import Server


@pytest.fixture
def server(http_server: Server) -> Server:
    return http_server


@pytest.fixture(scope="module")
def pkgs(seeds_out: Path) -> dict[str, Any]:
    return {n: import_package(seeds_out / n) for n in ("zoho_crm", "salesforce_bulk")}


ZOHO = load_collection(COLLECTIONS / "zoho_crm.postman_collection.json")
ZOHO_CASES = [
    (folder, ex_index)
    for folder in (0, 1)
    for ex_index in range(len(ZOHO["item"][folder]["item"][0]["response"]))
]


@pytest.mark.parametrize(("folder", "index"), ZOHO_CASES)
def test_zoho_client_answers_each_saved_example(
    server: Server, pkgs: dict[str, Any], folder: int, index: int
) -> None:
    zoho = pkgs["zoho_crm"]
    example = ZOHO["item"][folder]["item"][0]["response"][index]
    server.example(example)
    body = json.loads(example["body"])
    with zoho.Client(server.url, access_token="tok-123") as client:
        sub = client.v2 if folder == 0 else client.v2_1
        if example["code"] < 400:
            result = sub.job_details("4150868000005392002")
            assert isinstance(result, zoho.JobDetails)
            assert result.to_dict() == body
        else:
            with pytest.raises(zoho.ApiError) as err:
                sub.job_details("4150868000005392002")
            assert err.value.status == example["code"]
            assert isinstance(err.value.body, zoho.JobDetailsError)
            assert err.value.body.code == body["code"]
            assert json.loads(err.value.text) == body
    sent = server.requests[-1]
    version = "v2" if folder == 0 else "v2.1"
    assert sent.method == "GET"
    assert sent.target == f"/crm/bulk/{version}/write/4150868000005392002"
    assert sent.headers["Authorization"] == "Bearer tok-123"


def test_async_client_returns_the_same_type(server: Server, pkgs: dict[str, Any]) -> None:
    zoho = pkgs["zoho_crm"]
    example = ZOHO["item"][1]["item"][0]["response"][0]
    server.example(example)

    async def call() -> Any:
        async with zoho.AsyncClient(server.url, access_token="t") as client:
            return await client.v2_1.job_details("42")

    result = asyncio.run(call())
    assert isinstance(result, zoho.JobDetails)
    assert isinstance(result.resource[0].module, zoho.Module)
    assert result.created_time.isoformat() == "2021-05-11T12:38:29+05:30"


def test_salesforce_version_defaults_to_the_collection_variable(
    server: Server, pkgs: dict[str, Any]
) -> None:
    sf = pkgs["salesforce_bulk"]
    col = load_collection(COLLECTIONS / "salesforce_bulk.postman_collection.json")
    server.example(col["item"][0]["response"][0])
    with sf.Client(server.url, access_token="abc") as client:
        info = client.get_job_info("750x")
        assert info.api_version == 58 and info.created_date == "<datetime>"
        assert server.requests[-1].target == "/services/data/v58.0/jobs/ingest/750x"
        client.get_job_info("750x", version="59.0")
        assert server.requests[-1].target == "/services/data/v59.0/jobs/ingest/750x"


def test_enabled_headers_are_sent(server: Server, pkgs: dict[str, Any]) -> None:
    sf = pkgs["salesforce_bulk"]
    col = load_collection(COLLECTIONS / "salesforce_bulk.postman_collection.json")
    server.example(col["item"][1]["response"][0])
    with sf.Client(server.url, access_token="abc") as client:
        details = client.get_job_details("750D00000004SkGIAU")
    assert details.api_version == 36.0
    sent = server.requests[-1]
    assert sent.headers["Accept"] == "application/json"
    assert sent.target == "/services/async/58.0/job/750D00000004SkGIAU"


def test_path_parameters_cannot_change_the_path(server: Server, pkgs: dict[str, Any]) -> None:
    zoho = pkgs["zoho_crm"]
    server.example(ZOHO["item"][0]["item"][0]["response"][0])
    with zoho.Client(server.url) as client:
        client.v2.job_details("../admin?x=1")
        assert server.requests[-1].target == "/crm/bulk/v2/write/..%2Fadmin%3Fx%3D1"
        client.v2.job_details("..")
        assert server.requests[-1].target == "/crm/bulk/v2/write/%2E%2E"


def test_a_response_of_the_wrong_shape_raises_parse_error(
    server: Server, pkgs: dict[str, Any]
) -> None:
    zoho = pkgs["zoho_crm"]
    server.answer(200, {"status": 3})
    with zoho.Client(server.url) as client, pytest.raises(zoho.ParseError) as err:
        client.v2.job_details("1")
    # A required key that is not there is named before a value of the wrong type.
    assert (err.value.path, err.value.actual) == ("$.resource", "nothing (key missing)")
    assert (err.value.method, err.value.status) == ("GET", 200)
    body = json.loads(ZOHO["item"][0]["item"][0]["response"][0]["body"])
    server.answer(200, {**body, "status": 3})
    with zoho.Client(server.url) as client, pytest.raises(zoho.ParseError) as err:
        client.v2.job_details("1")
    assert (err.value.path, err.value.expected, err.value.actual) == (
        "$.status", "string", "integer")


def test_header_values_cannot_inject_headers(server: Server, pkgs: dict[str, Any]) -> None:
    zoho = pkgs["zoho_crm"]
    with (
        zoho.Client(server.url, access_token="x\r\nX-Evil: 1") as client,
        pytest.raises(ValueError),
    ):
        client.v2.job_details("1")
