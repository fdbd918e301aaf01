"""A synthetic Postman collection of a given size, for the peak-memory measurement.

It has `requests` requests, each with one 200 example whose body is a large
JSON document: `{"data": [record, record, ...], "meta": {...}}`, the records
being real example bodies taken from a corpus collection, repeated until the
file reaches the target size. The records cycle through a handful of shapes,
so the generated code stays small and the measurement is about reading and
inferring from a big input, not about formatting a big output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def corpus_records(path: Path, limit: int = 8) -> list[dict[str, Any]]:
    """The largest JSON object example bodies of a collection (at most `limit`)."""
    data = json.loads(path.read_text("utf-8-sig"))
    found: list[tuple[int, dict[str, Any]]] = []
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for ex in node.get("response") or []:
                body = ex.get("body") if isinstance(ex, dict) else None
                try:
                    value = json.loads(body) if isinstance(body, str) else None
                except ValueError:
                    value = None
                if isinstance(value, dict) and value:
                    found.append((len(body), value))  # type: ignore[arg-type]
            stack.extend(node.get("item") or [])
    found.sort(key=lambda pair: -pair[0])
    return [value for _, value in found[:limit]]


def write_collection(dest: Path, records: list[dict[str, Any]], target_bytes: int,
                     requests: int = 50) -> int:
    """Write the synthetic collection to `dest`; returns its size in bytes.

    Nesting adds indentation the first estimate misses, so a second pass
    scales the body size to land within a few percent of `target_bytes`.
    """
    if not records:
        records = [{"id": 1, "name": "example", "tags": ["a", "b"], "ok": True}]
    size = _write(dest, records, target_bytes, requests)
    if abs(size - target_bytes) > target_bytes * 0.05:
        size = _write(dest, records, target_bytes * target_bytes // size, requests)
    return size


def _write(dest: Path, records: list[dict[str, Any]], target_bytes: int, requests: int) -> int:
    per_request = max(target_bytes // requests, 1)
    items = [_item(i, records[i % len(records)], per_request) for i in range(requests)]
    doc = {"info": {"name": "Synthetic big examples", "schema": SCHEMA}, "item": items}
    dest.write_text(json.dumps(doc, indent="\t"), "utf-8")
    return dest.stat().st_size


def _item(index: int, record: dict[str, Any], size: int) -> dict[str, Any]:
    """One request whose 200 example body is about `size` bytes of JSON once embedded."""
    one = len(json.dumps(json.dumps(record, indent=2)))  # as escaped inside the file
    count = max(size // max(one, 1), 1)
    body = {"data": [record] * count, "meta": {"page": index, "count": count}}
    url = f"https://api.example.com/v1/things{index}"
    return {
        "name": f"List things {index}",
        "request": {"method": "GET", "header": [],
                    "url": {"raw": url, "protocol": "https", "host": ["api", "example", "com"],
                            "path": ["v1", f"things{index}"]}},
        "response": [{
            "name": "OK", "code": 200, "status": "OK", "_postman_previewlanguage": "json",
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": json.dumps(body, indent=2),
        }],
    }


# -- records for the parse benchmark, and a many-shapes collection for scaling ------


def user_record(i: int) -> dict[str, Any]:
    """One ~450-byte API object: scalars, a date-time, a null, a nested object, a list."""
    return {
        "id": 100_000 + i,
        "login": f"user{i}",
        "email": f"user{i}@example.com",
        "name": f"User Number {i}",
        "active": i % 3 != 0,
        "score": round(i * 0.37, 2),
        "created_at": f"2024-0{1 + i % 9}-1{i % 10}T08:{i % 60:02d}:00Z",
        "manager_id": None if i % 4 else 100_000 + i // 4,
        "tags": ["alpha", "beta"] if i % 2 else ["gamma"],
        "address": {"street": f"{i} Main Street", "city": "Springfield", "zip": f"{10000 + i}",
                    "geo": {"lat": 40.0 + i % 7 / 10, "lng": -75.5 - i % 5 / 10}},
        "stats": {"followers": i * 7, "following": i * 3, "repos": i % 50},
    }


def page_body(records: int = 2) -> dict[str, Any]:
    """A ~1 KB response: a page of records and its metadata (the one-body parse case)."""
    return {"data": [user_record(i) for i in range(records)],
            "meta": {"page": 1, "per_page": records, "total": 1234, "next": "cursor-abc"}}


def parse_collection(dest: Path, sample: int = 20) -> None:
    """Two requests: `list users` (an array of user records) and `user page` (~1 KB)."""
    items = [
        _request("List users", "users", [user_record(i) for i in range(sample)]),
        _request("User page", "users/page", page_body()),
    ]
    doc = {"info": {"name": "Bench parse", "schema": SCHEMA}, "item": items}
    dest.write_text(json.dumps(doc, indent="\t"), "utf-8")


def many_shapes_collection(dest: Path, requests: int) -> int:
    """`requests` requests in folders of 25, each response a shape of its own (three
    nested classes with distinct keys), so classes grow with requests: the input for
    checking that no step grows faster than linearly. Returns the file size."""
    folders: list[dict[str, Any]] = []
    for start in range(0, requests, 25):
        items = [_request(f"Get thing {i}", f"things{i}/{{{{thing_id}}}}", _shape(i))
                 for i in range(start, min(start + 25, requests))]
        folders.append({"name": f"Group {start // 25}", "item": items})
    doc = {"info": {"name": "Synthetic many shapes", "schema": SCHEMA}, "item": folders}
    dest.write_text(json.dumps(doc, indent="\t"), "utf-8")
    return dest.stat().st_size


def _shape(i: int) -> dict[str, Any]:
    return {
        f"thing{i}_id": i, f"label{i}": f"thing {i}", "enabled": True,
        f"owner{i}": {f"owner{i}_name": "x", "since": "2024-01-01T00:00:00Z",
                      f"contact{i}": {f"phone{i}": "555", f"mail{i}": "a@b.c"}},
        f"items{i}": [{f"sku{i}": "s", "qty": 1, "price": 2.5}],
    }


def _request(name: str, path: str, body: Any) -> dict[str, Any]:
    url = f"https://api.example.com/v1/{path}"
    return {
        "name": name,
        "request": {"method": "GET", "header": [],
                    "url": {"raw": url, "protocol": "https", "host": ["api", "example", "com"],
                            "path": ["v1", *path.split("/")]}},
        "response": [{
            "name": "OK", "code": 200, "status": "OK", "_postman_previewlanguage": "json",
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": json.dumps(body, indent=2),
        }],
    }


def one_keyset_collection(dest: Path, requests: int) -> int:
    """`requests` POST requests in folders of 25 whose request bodies share one
    outer key set (commercetools' `{version, actions}` updates) around nested
    objects that differ per request and sometimes conflict: the input for
    checking that pooling many objects of one key set grows linearly (request
    bodies pool without merging by request name first). Returns the file size."""
    folders: list[dict[str, Any]] = []
    for start in range(0, requests, 25):
        items = [_update_request(i) for i in range(start, min(start + 25, requests))]
        folders.append({"name": f"Group {start // 25}", "item": items})
    doc = {"info": {"name": "Synthetic one key set", "schema": SCHEMA}, "item": folders}
    dest.write_text(json.dumps(doc, indent="\t"), "utf-8")
    return dest.stat().st_size


# One value of each JSON kind; `_kind(i)` cycles through them so that objects of
# one key set disagree on a key's kind now and then (null agrees with any kind).
_KINDS: tuple[Any, ...] = ("text", 7, True, None, 2.5, ["a"])


def _update_body(i: int) -> dict[str, Any]:
    """`{version, id, key, meta, actions}` (now and then with `dryRun` too, still
    overlapping enough to pool): the actions' keys are the request's own most of
    the time, shared and of varying kinds otherwise, with a nested object."""
    if i % 4:
        action: dict[str, Any] = {"action": f"set{i}", f"x{i}": _KINDS[i % 6],
                                  f"y{i % 50}": _KINDS[i // 50 % 6]}
    else:
        action = {"action": "set", "a": _KINDS[i // 4 % 6], "b": 1, "c": "c", "d": None,
                  "target": {"typeId": "thing", "id": _KINDS[i // 24 % 6]}}
    body: dict[str, Any] = {"version": _KINDS[i % 5], "id": f"id{i}", "key": f"k{i}",
                            "meta": {"by": "me", "at": i}, "actions": [action]}
    if i % 7 == 0:
        body["dryRun"] = True
    return body


def _update_request(i: int) -> dict[str, Any]:
    item = _request(f"Update thing {i}", f"things{i}", {"id": f"id{i}", "version": i + 1})
    item["request"]["method"] = "POST"
    item["request"]["header"] = [{"key": "Content-Type", "value": "application/json"}]
    item["request"]["body"] = {"mode": "raw", "raw": json.dumps(_update_body(i), indent=2),
                               "options": {"raw": {"language": "json"}}}
    return item
