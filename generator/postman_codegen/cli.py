"""The `postman-codegen` command: thin wiring of load -> plan -> render -> write."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from . import __version__
from .collection import load, load_environment
from .config import Config, environment_for, expand, stem
from .errors import GeneratorError, Notice
from .output import (
    build_tree, compare, lock_header, recover, sha, unified_diff, write_tree,
)
from .plan import Package, package_name, plan
from .render import render_package, templates_hash

EXIT_DRIFT = 1
EXIT_USAGE = 2
MAX_NOTICES = 20


@dataclass(slots=True)
class Result:
    packages: list[Package]
    files: dict[str, str]
    inputs: dict[str, str]
    notices: list[Notice]


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def generate_all(cfg: Config, progress: bool = False) -> Result:
    """Load, plan and render every collection named by the configuration."""
    files = expand(cfg.sources)
    if not files:
        raise GeneratorError(
            "no collections found in " + ", ".join(str(s) for s in cfg.sources)
        )
    packages: list[Package] = []
    rendered: dict[str, str] = {}
    inputs: dict[str, str] = {}
    notices: list[Notice] = []
    names: set[str] = set()
    for path in _progress(files, progress):
        env_path = environment_for(path)
        variables = load_environment(env_path) if env_path else {}
        if env_path:
            inputs[_display(env_path)] = sha(env_path.read_bytes())
        collection = load(path, variables)
        inputs[_display(path)] = sha(path.read_bytes())
        base = cfg.packages.get(stem(path)) or cfg.packages.get(path.name)
        name = package_name(base or stem(path))
        unique, n = name, 2
        while unique in names:
            unique, n = f"{name}_{n}", n + 1
        if unique != name:
            notices.append(Notice(str(path), "$", f"package name {name!r} taken; using {unique!r}"))
        names.add(unique)
        pkg = plan(collection, variables, unique, cfg.options)
        # Generated text names the input the same way wherever it is run from.
        pkg.source_file = _display(path)
        packages.append(pkg)
        notices.extend(pkg.notices)
        for rel, text in render_package(pkg, cfg.templates).items():
            rendered[f"{unique}/{rel}"] = text
    return Result(packages, rendered, inputs, notices)


def _progress(items: list[Path], enabled: bool) -> Iterator[Path]:
    if not enabled or len(items) < 2 or not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label="collections", file=sys.stderr,
                           item_show_func=lambda p: p.name if p else "") as bar:
        yield from bar


def _report(notices: list[Notice], verbose: bool) -> None:
    if not notices:
        return
    click.secho(f"{len(notices)} warning(s):", fg="yellow", err=True)
    shown = notices if verbose else notices[:MAX_NOTICES]
    for n in shown:
        click.echo(f"  {n}", err=True)
    if len(shown) < len(notices):
        click.echo(f"  ... and {len(notices) - len(shown)} more (use --verbose)", err=True)


def _run(cfg: Config, check: bool, verbose: bool, quiet: bool, jobs: int) -> int:
    out = cfg.output
    if not check:
        recover(out.resolve())
    result = generate_all(cfg, progress=not quiet)
    header = lock_header(result.inputs, templates_hash(cfg.templates))
    tree = build_tree(out, result.files, header, jobs=jobs)
    changes = compare(out, tree)
    if not quiet:
        _report(result.notices, verbose)
    if check:
        if changes.empty:
            if not quiet:
                click.echo(f"{out}: up to date ({len(tree)} files)", err=True)
            return 0
        click.echo(unified_diff(out, changes), nl=False)
        n = len(changes.write) + len(changes.delete)
        click.secho(f"{out}: {n} file(s) out of date; run `make generate`", fg="red", err=True)
        return EXIT_DRIFT
    write_tree(out, changes)
    if not quiet:
        click.echo(
            f"{out}: {len(result.packages)} package(s), {len(changes.write)} file(s) written, "
            f"{len(changes.delete)} removed, {changes.unchanged} unchanged",
            err=True,
        )
    return 0


def _guard(debug: bool, fn: object, *args: object) -> int:
    try:
        return fn(*args)  # type: ignore[operator, no-any-return]
    except GeneratorError as exc:
        if debug:
            traceback.print_exc()
        click.secho(f"error: {exc}", fg="red", err=True)
        return EXIT_USAGE
    except (RecursionError, MemoryError) as exc:
        if debug:
            traceback.print_exc()
        click.secho(f"error: input too large or too deeply nested ({type(exc).__name__})",
                    fg="red", err=True)
        return EXIT_USAGE
    except OSError as exc:
        if debug:
            traceback.print_exc()
        click.secho(f"error: {exc}", fg="red", err=True)
        return EXIT_USAGE


_sources = click.argument("sources", nargs=-1, type=click.Path(path_type=str))
_output = click.option("-o", "--output", help="Output folder (default: generated/).")
_debug = click.option("--debug", is_flag=True, help="Show a traceback on errors.")
_quiet = click.option("-q", "--quiet", is_flag=True, help="Print only errors and diffs.")
_verbose = click.option("-v", "--verbose", is_flag=True, help="List every warning.")
_jobs = click.option("-j", "--jobs", type=int, default=lambda: min(os.cpu_count() or 1, 4),
                     show_default="cpus, at most 4", help="Parallel black workers.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="postman-codegen")
def main() -> None:
    """Generate typed Python API clients from Postman collections.

    \b
    Examples:
      postman-codegen generate                      # sources from pyproject.toml
      postman-codegen generate api.postman_collection.json -o src/clients
      postman-codegen check                         # CI drift check, exit 1 on drift
    """


@main.command()
@_sources
@_output
@click.option("--templates", type=click.Path(file_okay=False, path_type=str),
              help="Folder of templates overriding the built-in ones.")
@click.option("--check", is_flag=True, help="Write nothing; show a diff and exit 1 on drift.")
@_debug
@_quiet
@_verbose
@_jobs
def generate(sources: tuple[str, ...], output: str | None, templates: str | None,
             check: bool, debug: bool, quiet: bool, verbose: bool, jobs: int) -> None:
    """Generate one package per collection into the output folder.

    SOURCES are collection files, exported items, or folders of them
    (default: `sources` of [tool.postman-codegen], else collections/).
    """
    sys.exit(_guard(debug, lambda: _run(Config.load(sources, output, templates), check,
                                        verbose, quiet, jobs)))


@main.command()
@_sources
@_output
@click.option("--templates", type=click.Path(file_okay=False, path_type=str),
              help="Folder of templates overriding the built-in ones.")
@_debug
@_quiet
@_verbose
@_jobs
def check(sources: tuple[str, ...], output: str | None, templates: str | None,
          debug: bool, quiet: bool, verbose: bool, jobs: int) -> None:
    """Exit 1 with a diff when the output folder is stale (same as generate --check)."""
    sys.exit(_guard(debug, lambda: _run(Config.load(sources, output, templates), True,
                                        verbose, quiet, jobs)))


def _field_counts(pkg: Package) -> tuple[int, int]:
    """(typed, unknown) fields over every model class of a package."""
    from .infer import Unknown

    typed = unknown = 0
    for _, obj in pkg.classes:
        for f in obj.fields:
            if isinstance(f.type, Unknown):
                unknown += 1
            else:
                typed += 1
    return typed, unknown


@main.command()
@_sources
@_debug
def stats(sources: tuple[str, ...], debug: bool) -> None:
    """Print a table per collection: requests, examples, typed fields, warnings.

    Writes nothing. SOURCES default to the configured collections.
    """

    def run() -> int:
        cfg = Config.load(sources, None, None)
        result = generate_all(cfg)
        rows = [("collection", "requests", "examples", "JSON typed", "fields typed",
                 "unknown JSON", "warnings")]
        for pkg in result.packages:
            typed, unknown = _field_counts(pkg)
            rows.append((
                pkg.name, str(pkg.stats.get("requests", 0)), str(pkg.stats.get("examples", 0)),
                str(pkg.stats.get("json_examples", 0)), str(typed), str(unknown),
                str(len(pkg.notices)),
            ))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for n, row in enumerate(rows):
            cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
            click.echo("| " + " | ".join(cells) + " |")
            if n == 0:
                click.echo("|" + "|".join("-" * (w + 1) + (":" if i else "-") for i, w in enumerate(widths)) + "|")
        return 0

    sys.exit(_guard(debug, run))


# -- diff: API-level changes between two versions of a collection -------------


def _openapi_of(path: Path, cfg: Config) -> dict[str, object]:
    """The OpenAPI document of a collection file (or of an `openapi.json` as it is)."""
    import json

    from .openapi import openapi_document

    if path.suffix == ".json" and not path.name.endswith(".postman_collection.json"):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("openapi"), str):
            return data
    env_path = environment_for(path)
    variables = load_environment(env_path) if env_path else {}
    base = cfg.packages.get(stem(path)) or cfg.packages.get(path.name)
    pkg = plan(load(path, variables), variables, package_name(base or stem(path)), cfg.options)
    return openapi_document(pkg)


def _built_openapi(new: Path, cfg: Config) -> dict[str, object]:
    """What the output folder was built from: the package's committed openapi.json."""
    import json

    base = cfg.packages.get(stem(new)) or cfg.packages.get(new.name)
    built = cfg.output / package_name(base or stem(new)) / "openapi.json"
    try:
        data = json.loads(built.read_text("utf-8"))
    except FileNotFoundError:
        raise GeneratorError(
            f"{built}: not found; give OLD and NEW, or run `postman-codegen generate` "
            "first so the output folder records the API it was built from"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise GeneratorError(f"{built}: cannot read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("openapi"), str):
        raise GeneratorError(f"{built}: not an OpenAPI document")
    return data


@main.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="Report format (markdown: a PR comment).")
@click.option("--fail-on", type=click.Choice(["breaking", "any"]),
              help="Exit 1 when a breaking change (or any change) is found.")
@_debug
def diff(old: Path, new: Path | None, output: str | None, fmt: str, fail_on: str | None,
         debug: bool) -> None:
    """Show the API changes between two versions of a collection.

    \b
    OLD and NEW are collection files (or openapi.json files). With one file,
    it is compared with what the output folder was built from (the package's
    openapi.json). Each change is breaking or compatible for a caller of the
    generated client.

    \b
    Examples:
      postman-codegen diff old.postman_collection.json api.postman_collection.json
      postman-codegen diff collections/api.postman_collection.json --fail-on breaking
      postman-codegen diff old.json new.json --format markdown > comment.md
    """
    from .changes import compare, render_json, render_markdown, render_text

    def run() -> int:
        cfg = Config.load((), output, None)
        if new is None:
            before, after = _built_openapi(old, cfg), _openapi_of(old, cfg)
        else:
            before, after = _openapi_of(old, cfg), _openapi_of(new, cfg)
        try:
            report = compare(before, after)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # A hand-written OpenAPI document this comparison does not understand.
            raise GeneratorError(f"cannot compare these documents: {exc!r}") from None
        render = {"text": render_text, "markdown": render_markdown, "json": render_json}[fmt]
        click.echo(render(report), nl=False)
        if fail_on == "any" and not report.empty or fail_on == "breaking" and report.breaking:
            return EXIT_DRIFT
        return 0

    sys.exit(_guard(debug, run))


if __name__ == "__main__":  # pragma: no cover
    main()
