"""Block formatting is black, byte for byte: the fast path's output (blocks the
recognizer calls settled taken as they are, the others formatted alone) equals
`black.format_str` of the whole rendered file (seeds here; the whole corpus with
--run-slow, as `make test-corpus` does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from postman_codegen.cli import plan_all
from postman_codegen.config import Config
from postman_codegen.fmt import cached_blocks, format_blocks, format_split, split
from postman_codegen.output import _shipped, format_python, settled_blocks
from postman_codegen.render import runtime_source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = next((p / "shared" / "corpus" for p in ROOT.parents
                   if (p / "shared" / "corpus").is_dir()), CORPUS)


def rendered(source: Path) -> dict[str, str]:
    cfg = Config.load((str(source),), str(ROOT / "unused-output"), None)
    files = [source] if source.is_file() else sorted(source.glob("*.postman_collection.json"))
    return {rel: text for rel, text in plan_all(cfg, files).files.items() if rel.endswith(".py")}


def refuse(text: str) -> str:
    raise AssertionError("black ran on a block that was in the cache")


def assert_exact(files: dict[str, str]) -> None:
    fast = 0
    for rel, text in files.items():
        whole = format_python(text)
        got = format_blocks(text, {}, format_python)
        if got is None:
            continue  # whole-file black: exact by definition
        fast += 1
        assert got.text == whole, f"{rel}: block formatting differs from black"
        blocks = split(text)
        assert blocks is not None
        quick = format_split(blocks, settled_blocks(blocks, {}), format_python)
        assert quick is not None and quick.text == whole, f"{rel}: the fast path differs"
        again = format_blocks(text, cached_blocks(got.text, got.blocks), refuse)
        assert again is not None and again.text == whole, f"{rel}: cached blocks differ"
    assert fast, "no file took the block path"


def test_seeds_block_formatting_equals_black_of_the_whole_file() -> None:
    files = rendered(ROOT / "collections")
    assert_exact(files)
    for rel in files:
        if rel.endswith(("models.py", "client.py", "__init__.py")):
            assert format_blocks(files[rel], {}, format_python) is not None, rel


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.postman_collection.json")))
def test_corpus_block_formatting_equals_black_of_the_whole_file(name: str) -> None:
    assert_exact(rendered(CORPUS / name))


@pytest.mark.parametrize("source", [
    '"""Doc."""\n@dec\nclass A:\n    pass\n',
    '"""Doc."""\n\n\n\nimport x\nimport y\n\n\n\nz = 1\nclass B: pass\nw=2\n',
    'import x\n\n\n\ny = 1\n\n\n\n\nz = [\n1,2]\n',
    'class A:\n    """d"""\ny = 1\nif y:\n    z = 1\nelse:\n    z = 2\nq = 3\n',
    'x = 1\n@d\ndef f(): return 1\nasync def g(): pass\n',
])
def test_small_cases(source: str) -> None:
    got = format_blocks(source, {}, format_python)
    assert got is not None
    assert got.text == format_python(source)


@pytest.mark.parametrize("source", [
    "# a comment\nx = 1\n",
    "x = 1\n'not a docstring'\n",
    "x = 1; y = 2\n",
    "def f(): ...\ndef g(): ...\n",
    "if x:\n    def f(): pass\nelse:\n    pass\n",
    "x = 1  # fmt: skip\n",
])
def test_what_cannot_be_vouched_for_goes_to_whole_file_black(source: str) -> None:
    assert format_blocks(source, {}, format_python) is None


def test_a_record_that_does_not_match_the_file_gives_no_cache() -> None:
    got = format_blocks("x = 1\ny = 2\n", {}, format_python)
    assert got is not None
    assert cached_blocks(got.text, got.blocks) != {}
    assert cached_blocks(got.text + "z = 3\n", got.blocks) == {}
    assert cached_blocks(got.text, ["bad"]) == {}
    assert cached_blocks(got.text, None) == {}


def test_one_changed_example_formats_only_the_changed_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    import postman_codegen.output
    from helpers import run_cli

    source = tmp_path / "apis" / "zoho_crm.postman_collection.json"
    source.parent.mkdir()
    source.write_bytes((ROOT / "collections" / source.name).read_bytes())
    assert run_cli("generate", "-q", "-j", "1", "-o", tmp_path / "out", source.parent).exit_code == 0
    data = json.loads(source.read_text("utf-8"))
    stack = [data]
    while stack:  # one key added to the first JSON-object example body
        node = stack.pop(0)
        bodies = [ex for ex in node.get("response") or [] if str(ex.get("body", "")).startswith("{")]
        if bodies:
            bodies[0]["body"] = json.dumps({**json.loads(bodies[0]["body"]), "addedKey": 1})
            break
        stack.extend(node.get("item") or [])
    source.write_text(json.dumps(data), "utf-8")
    calls: list[str] = []
    # This test is about reusing the blocks of the last run: none is taken as settled.
    monkeypatch.setattr(postman_codegen.output, "settled", lambda text: False)
    real = postman_codegen.output._black
    monkeypatch.setattr(postman_codegen.output, "_black",
                        lambda text: calls.append(text) or real(text))
    assert run_cli("generate", "-q", "-j", "1", "-o", tmp_path / "out", source.parent).exit_code == 0
    changed = len(calls)
    assert 0 < changed <= 4, [c[:60] for c in calls]
    assert run_cli("generate", "-q", "-j", "1", "-o", tmp_path / "cold", source.parent).exit_code == 0
    assert len(calls) > changed * 5, "a cold run formats every block"
    for path in (tmp_path / "cold").rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "out" / path.relative_to(tmp_path / "cold")).read_bytes(), path


def test_progress_moves_block_by_block_within_a_file() -> None:
    from postman_codegen.output import _format_all, check_compiles

    text = rendered(ROOT / "collections")["zoho_crm/models.py"]
    seen: list[tuple[int, int]] = []
    _format_all([("m.py", text, check_compiles("m.py", text), {})], 1,
                lambda done, total: seen.append((done, total)))
    assert len(seen) > 5
    done, total = seen[-1]
    assert done == total > 0.9 * len(text)  # the characters black formats: every block
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_parallel_formatting_gives_the_same_bytes_and_reuses_the_cache() -> None:
    from postman_codegen.output import _format_all, _format_parallel, check_compiles

    files = rendered(ROOT / "collections")
    items = [(rel, text, check_compiles(rel, text), {}) for rel, text in files.items()]
    items.append(("whole.py", "# a comment\nx = ( 1, )\n", None, {}))
    sequential = dict(_format_all(items, 1))
    total = sum(len(t) for _, t, _, _ in items)
    parallel = dict(_format_parallel(items, 2, total, None))
    assert parallel == sequential
    assert parallel["whole.py"].text == "# a comment\nx = (1,)\n"


def test_the_shipped_formatted_runtime_is_black_of_the_runtime() -> None:
    """The runtime is copied into every package; black's output for it ships with the
    generator (refresh it with `write_runtime_formatted()` after editing runtime.py)."""
    text = runtime_source()
    assert _shipped(text) == format_python(text), (
        "stale runtime.formatted: run PYTHONPATH=generator python -c 'from "
        "postman_codegen.output import write_runtime_formatted as w; w()'")


def test_the_quick_split_falls_back_to_the_precise_one() -> None:
    """The quick split trusts black's layout; a line at column 0 inside a bracket or
    a string makes a piece that does not compile, and the file is split again."""
    from postman_codegen.output import check_compiles

    text = ('"""Doc.\nA line at column 0.\n"""\n\nx = [\n1,\n]\ny = """a\n# not a comment\n"""\n'
            "z = 1\n")
    blocks = check_compiles("m.py", text)
    assert blocks is not None
    assert [b.text.split("\n")[0] for b in blocks] == ['"""Doc.', "x = [", 'y = """a', "z = 1"]
    got = format_blocks(text, {}, format_python)
    assert got is not None and got.text == format_python(text)


def test_parallel_vetting_gives_the_same_bytes_as_the_sequential_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from postman_codegen import output

    files = rendered(ROOT / "collections")
    # A block that does not compile alone: its file goes to the sequential path.
    files["broken_split.py"] = 'x = """\nclass A:\n    pass\n"""\n'
    sequential = output.build_tree(tmp_path / "a", files, {}, jobs=1)
    monkeypatch.setattr(output, "VET_PARALLEL", 0)
    monkeypatch.setattr(output, "VET_CHUNK", 2_000)  # many chunks per file
    pending = [(rel, text, {}) for rel, text in files.items() if rel.endswith(".py")]
    vetted = output._vet_parallel(pending, 2)
    assert "broken_split.py" not in vetted and "salesforce_bulk/models.py" in vetted
    blocks, ready = vetted["salesforce_bulk/models.py"]
    assert ready and set(ready) <= {b.key for b in blocks}
    parallel = output.build_tree(tmp_path / "b", files, {}, jobs=2)
    assert parallel == sequential


def test_files_rendered_in_pieces_are_the_files_rendered_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from postman_codegen import render
    from postman_codegen.plan import Package

    cfg = Config.load((str(ROOT / "collections"),), str(ROOT / "unused-output"), None)
    packages: list[Package] = plan_all(cfg, sorted((ROOT / "collections").glob("*.json")),
                                       render=False).packages
    monkeypatch.setattr(render, "PIECE", 500)  # many pieces per file
    for pkg in packages:
        whole = render.render_package(pkg)
        pieces: dict[str, list[str]] = {}

        def sink(rel: str, piece: str, pieces: dict[str, list[str]] = pieces) -> None:
            pieces.setdefault(rel, []).append(piece)

        streamed = render.render_package(pkg, sink=sink)
        assert streamed == whole
        assert set(pieces) == {"models.py", "client.py"}
        for rel, parts in pieces.items():
            assert len(parts) >= 3 and "".join(parts) == whole[rel]
            # Each piece but the first starts a top-level statement.
            assert all(p[:1] not in " \t\n" for p in parts[1:])


def test_piece_ends_skip_triple_quoted_strings() -> None:
    from postman_codegen.render import _piece_end

    text = 'x = 1\n\n\ndef f():\n    """Doc.\n\n\nclass NotCode:\n    """\n'
    assert text[_piece_end(text):].startswith("def f()")
    assert _piece_end('"""Doc.\n\n\nclass A:\n') == 0
    assert _piece_end("x = 1\n\n\n    y\n") == 0


def test_blocks_vetted_while_rendering_give_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from postman_codegen import output, render

    files = rendered(ROOT / "collections")
    sequential = output.build_tree(tmp_path / "a", files, {}, jobs=1)
    monkeypatch.setattr(output, "VET_PARALLEL", 0)
    monkeypatch.setattr(output, "VET_CHUNK", 2_000)
    monkeypatch.setattr(render, "PIECE", 3_000)
    offered: list[str] = []
    with output.EarlyVet(2, lambda rel: rel.endswith("models.py")) as early:
        for rel, text in files.items():
            parts, done = [], 0
            while done < len(text):  # pieces cut as the renderer cuts them
                rest = text[done:]
                cut = render._piece_end(rest[:render.PIECE]) or len(rest)
                parts.append(rest[:cut])
                done += cut
            for piece in parts:
                early.offer(rel, piece)
            offered += [rel] * (early.wants(rel) and rel.endswith(".py"))
        ready = early.results()
    vetted = ready.settled | set(ready.formatted)
    assert offered and ready.settled
    assert not ready.settled & set(ready.formatted)
    models = [b for rel in files if rel.endswith("models.py")
              for b in split(files[rel], output.black_salt(), precise=False) or ()]
    assert vetted <= {b.key for b in models}  # only the files it wants
    assert len(vetted) > len(models) // 2
    assert output.build_tree(tmp_path / "b", files, {}, jobs=2, early=ready) == sequential
