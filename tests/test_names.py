"""Stable class names: a name depends on its own request, folder and field path.

Renaming a request renames only its own classes; adding or removing a request
changes a class name only where that request shared the class's shape or its
field-path name (qualification), never by the order of requests.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CORPUS
from postman_codegen import naming
from postman_codegen.errors import GeneratorError
from postman_codegen.options import Options
from postman_codegen.plan import Package
from test_types_support import (
    class_lines,
    models_source,
    names_used_by,
    plan_dict,
    read_fixture,
)

TWITTER = Path("/work/shared/corpus/twitter-v2.postman_collection.json")
if not TWITTER.exists():
    TWITTER = CORPUS / "twitter-v2.postman_collection.json"


def _requests(node: dict[str, Any], trail: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], dict[str, Any]]]:
    for i, item in enumerate(node.get("item", [])):
        if "item" in item:
            yield from _requests(item, (*trail, i))
        else:
            yield (*trail, i), item


def _siblings(data: dict[str, Any], trail: tuple[int, ...]) -> list[dict[str, Any]]:
    node = data
    for i in trail[:-1]:
        node = node["item"][i]
    items: list[dict[str, Any]] = node["item"]
    return items


def _changed(before: Package, after: Package, skip: str) -> dict[str, tuple[set[str], set[str]]]:
    """Methods (other than `skip`) whose class names changed: (lost, gained)."""
    old, new = names_used_by(before), names_used_by(after)
    return {q: (old[q] - new[q], new[q] - old[q]) for q in old
            if q in new and q != skip and old[q] != new[q]}


def _qualname(pkg: Package, source_name: str) -> str:
    return next(m.qualname for m in pkg.methods() if m.name == naming.snake(source_name))


def _twitter() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TWITTER.read_text())
    return data


needs_twitter = pytest.mark.skipif(not TWITTER.exists(), reason="corpus not present")
# Each request of twitter-v2 renamed or removed means planning it again: `make test`
# takes every fourth request, `make test-corpus` the others (together: all of them).
SHARES = [pytest.param(True, id="every-4th"),
          pytest.param(False, id="the-rest", marks=pytest.mark.slow)]


def _share(data: dict[str, Any], sampled: bool) -> list[tuple[tuple[int, ...], dict[str, Any]]]:
    return [r for i, r in enumerate(_requests(data)) if (i % 4 == 0) == sampled]


@needs_twitter
def test_renaming_single_tweet_leaves_the_other_requests_classes_alone(tmp_path: Path) -> None:
    data = _twitter()
    before = plan_dict(data, tmp_path)
    renamed = copy.deepcopy(data)
    for trail, item in _requests(renamed):
        if item["name"] == "Single Tweet":
            item["name"] = "Tweet by ID"
    after = plan_dict(renamed, tmp_path)
    returns = {m.qualname: m.response.name for m in after.methods() if m.response}
    assert returns["tweet_lookup.tweet_by_id"] == "TweetById"
    assert returns["tweet_lookup.single_tweet_usercontext"] == "SingleTweetUsercontext"
    assert _changed(before, after, "tweet_lookup.single_tweet") == {}


@needs_twitter
@pytest.mark.parametrize("sampled", SHARES)
def test_renaming_any_request_changes_only_its_own_class_names(
    tmp_path: Path, sampled: bool,
) -> None:
    data = _twitter()
    before = plan_dict(data, tmp_path)
    for trail, item in _share(data, sampled):
        renamed = copy.deepcopy(data)
        _siblings(renamed, trail)[trail[-1]]["name"] = "Zz renamed request"
        after = plan_dict(renamed, tmp_path)
        assert _changed(before, after, _qualname(before, item["name"])) == {}, item["name"]


@needs_twitter
def test_adding_an_unrelated_request_changes_no_class_name(tmp_path: Path) -> None:
    data = _twitter()
    before = plan_dict(data, tmp_path)
    added = copy.deepcopy(data)
    added["item"][0]["item"].insert(0, {
        "name": "Server time", "request": {"method": "GET", "url": "https://api.twitter.com/2/time"},
        "response": [{"name": "ok", "code": 200, "body": json.dumps(
            {"now": {"epoch": 1, "zone": "UTC"}, "errors": [{"reason": "none"}]})}],
    })
    after = plan_dict(added, tmp_path)
    assert _changed(before, after, "") == {}
    assert class_lines(models_source(after))["ServerTime"][0] == "now: Now"


def _hints(pkg: Package, qualname: str) -> set[str]:
    """The field-path names (leaf hints) of every class a method reaches."""
    by_name = {n: o for n, o in pkg.classes}
    return {naming.pascal(by_name[n].hint) for n in names_used_by(pkg)[qualname] if n in by_name}


@needs_twitter
@pytest.mark.parametrize("sampled", SHARES)
def test_removing_a_request_renames_only_classes_it_shared_a_name_with(
    tmp_path: Path, sampled: bool,
) -> None:
    data = _twitter()
    before = plan_dict(data, tmp_path)
    by_name = {n: o for n, o in before.classes}
    for trail, item in _share(data, sampled):
        qualname = _qualname(before, item["name"])
        removed = copy.deepcopy(data)
        _siblings(removed, trail).pop(trail[-1])
        after = plan_dict(removed, tmp_path)
        related = _hints(before, qualname)
        for q, (lost, _) in _changed(before, after, qualname).items():
            unrelated = {n for n in lost if n in by_name and naming.pascal(by_name[n].hint)
                         not in related}
            assert not unrelated, (item["name"], q, unrelated)


def test_renaming_a_request_in_the_fixture_keeps_shared_names(tmp_path: Path) -> None:
    data = read_fixture("bank")
    before = plan_dict(data, tmp_path)
    renamed = copy.deepcopy(data)
    renamed["item"][0]["item"][0]["name"] = "Fetch account"  # Accounts / Get account
    after = plan_dict(renamed, tmp_path)
    assert _changed(before, after, "accounts.get_account") == {}
    assert {m.qualname: m.response.name for m in after.methods() if m.response}[
        "accounts.fetch_account"] == "FetchAccount"
    assert "balances: Balances" in class_lines(models_source(after))["FetchAccount"]


def test_reordering_requests_changes_no_class_name(tmp_path: Path) -> None:
    data = read_fixture("bank")
    before = plan_dict(data, tmp_path)
    shuffled = copy.deepcopy(data)
    shuffled["item"].reverse()
    for folder in shuffled["item"]:
        if "item" in folder:
            folder["item"].reverse()
    after = plan_dict(shuffled, tmp_path)
    assert names_used_by(after) == names_used_by(before)


def test_clashing_field_names_are_all_qualified_by_their_request(tmp_path: Path) -> None:
    classes = class_lines(models_source(plan_dict(read_fixture("bank"), tmp_path)))
    assert "owner: GetUserOwner" in classes["GetUser"]
    assert "owner: GetTeamOwner" in classes["GetTeam"]


# -- word boundaries and pinned names ---------------------------------------


def test_long_names_are_cut_at_a_word_boundary() -> None:
    text = "Step 3 update transfer extra info dynamic form if any fields require refresh from your transfer inside"
    snake = naming.snake(text)
    assert len(snake) <= naming.MAX_NAME
    assert text.lower().replace(" ", "_").startswith(snake + "_")
    pascal = naming.pascal(text)
    assert len(pascal) <= naming.MAX_NAME
    assert pascal == "Step3UpdateTransferExtraInfoDynamicFormIfAnyFieldsRequire"  # no "Refr"


def test_qualified_names_keep_the_leaf_whole() -> None:
    name = naming.qualified_pascal(("a very long request name that goes on and on and on", "field_mappings"))
    assert name.endswith("FieldMappings") and len(name) <= naming.MAX_NAME
    assert name.startswith("AVeryLongRequestName")


def test_names_option_renames_a_class(tmp_path: Path) -> None:
    pkg = plan_dict(read_fixture("bank"), tmp_path,
                    Options(names={"Balances": "AccountBalance", "BasicAuth": "Whoami"}))
    classes = class_lines(models_source(pkg))
    assert "Balances" not in classes
    assert "balances: AccountBalance" in classes["GetAccount"]
    assert {m.name: m.response.name for m in pkg.methods() if m.response}["basic_auth"] == "Whoami"


def test_names_option_clash_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError, match=r"names\] 'Balances': 'Amount' is already"):
        plan_dict(read_fixture("bank"), tmp_path, Options(names={"Balances": "Amount"}))


def test_names_option_bad_identifier_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError, match=r"'Balances': 'not a name' is not a usable"):
        plan_dict(read_fixture("bank"), tmp_path, Options(names={"Balances": "not a name"}))


def test_uncased_class_names_never_equal_method_names() -> None:
    assert naming.pascal("가") == "가Model"
    assert naming.snake("가") == "가"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_ascii_text_splits_into_the_words_the_unicode_path_finds(text: str) -> None:
    # " é" sends the same text down the normalizing path and adds the word "e".
    assert naming.words(text + " \u00e9") == [*naming.words(text), "e"]
