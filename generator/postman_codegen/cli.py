"""The `postman-codegen` command: thin wiring of load -> plan -> render -> write.

Heavy modules (the planner, Jinja, black) are imported only when something
must be rendered: with nothing changed, `generate` and `check` compare hashes
and exit at about the cost of starting Python.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import os
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .config import Config, environment_for, expand, stem
from .errors import (
    ConfigError,
    GeneratorError,
    InputError,
    Notice,
    cut_line,
    terminal_safe,
)
from .output import (
    LOCK_NAME,
    Changes,
    EarlyVet,
    Lock,
    build_tree,
    clean_stale,
    collector_off,
    compare,
    fresh,
    has_stale_stages,
    hash_inputs,
    lock_header,
    options_hash,
    recover,
    run_lock,
    stale_reasons,
    templates_hash,
    unified_diff,
    write_tree,
)

if TYPE_CHECKING:
    from .collection import Collection
    from .plan import Package

EXIT_DRIFT = 1
EXIT_USAGE = 2
MAX_NOTICES = 20
# A progress bar appears once a run has taken this long (and only on a terminal).
PROGRESS_DELAY = 2.0
DEFAULT_WAIT = 60.0
COMMAND = "postman-codegen generate"


@dataclass(slots=True)
class Result:
    packages: list[Package]
    files: dict[str, str]
    inputs: dict[str, str]
    notices: list[Notice]


class Progress:
    """A click progress bar shown only on runs longer than `PROGRESS_DELAY`, only on
    a terminal, never with `-q`. Phases: rendering (per collection), formatting
    (per character black formats)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.monotonic()
        self.bar: Any = None
        self.label = ""
        self.total = 0

    def phase(self, label: str, total: int) -> None:
        self.close()
        self.label, self.total = label, max(total, 1)

    def update(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        if total is not None and total != self.total:
            self.total = max(total, 1)
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_DELAY:
                return
            self.bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(max(done - self.bar.pos, 0))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _places(collection: Collection) -> list[tuple[str, str]]:
    """(source path, "Folder / Sub / Request") of every folder and request, longest
    source first, to name the request a warning is about."""
    from .collection import Folder

    out: list[tuple[str, str]] = []

    def walk(folder: Folder, names: tuple[str, ...]) -> None:
        for sub in folder.folders:
            here = (*names, sub.name or "(unnamed folder)")
            out.append((sub.source, " / ".join(here)))
            walk(sub, here)
        for req in folder.requests:
            out.append((req.source, " / ".join((*names, req.name or "(unnamed request)"))))

    walk(collection.root, ())
    out.sort(key=lambda p: -len(p[0]))
    return out


def _name_notice(n: Notice, file: str, places: list[tuple[str, str]]) -> Notice:
    path = n.path.removeprefix("$.")
    for source, where in places:
        if source and (path == source or path.startswith((source + ".", source + "["))):
            return dataclasses.replace(n, file=file, where=where)
    return dataclasses.replace(n, file=file)


def _input_paths(cfg: Config, files: list[Path]) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for path in files:
        paths[cfg.display(path)] = path
        env = environment_for(path)
        if env is not None:
            paths[cfg.display(env)] = env
    return paths


def _collections(cfg: Config) -> list[Path]:
    files = expand(cfg.sources)
    if not files:
        raise GeneratorError(
            "no collections found in " + ", ".join(str(s) for s in cfg.sources)
        )
    return files


def plan_all(cfg: Config, files: list[Path], progress: Progress | None = None,
             render: bool = True, early: EarlyVet | None = None) -> Result:
    """Load and plan every collection (and render it unless `render` is false;
    `early` vets large files' blocks while they are rendered)."""
    from .collection import load, load_environment
    from .plan import package_name, plan

    packages: list[Package] = []
    rendered: dict[str, str] = {}
    notices: list[Notice] = []
    names: set[str] = set()
    if progress:
        progress.phase("rendering", len(files))
    for done, path in enumerate(files):
        shown = cfg.display(path)
        try:
            env_path = environment_for(path)
            base = cfg.packages.get(stem(path)) or cfg.packages.get(path.name)
            name = package_name(base or stem(path))
            unique, n = name, 2
            while unique in names:
                unique, n = f"{name}_{n}", n + 1
            if unique != name:
                notices.append(Notice(shown, "$", f"package name {name!r} taken; using {unique!r}"))
            names.add(unique)
            # Loading and planning allocate millions of objects that hold no
            # reference cycles (the planner avoids them) and live until the run
            # ends: the collector stays off, and what survived is then frozen, so
            # later passes skip it (a fifth of a one-example-changed run on
            # commercetools, issue 11). Refcounting still frees frozen objects.
            with collector_off(gc.freeze):
                variables = load_environment(env_path) if env_path else None
                collection = load(path)
                pkg = plan(collection, variables, unique, cfg.options)
            # Generated text names the input the same way wherever it is run from.
            pkg.source_file = shown
            packages.append(pkg)
            if pkg.notices:
                places = _places(collection)
                notices.extend(_name_notice(n, shown, places) for n in pkg.notices)
            if render:
                # Rendering leaves reference cycles (Jinja's contexts and macros)
                # holding the template views: one full pass at the end frees them
                # all, before the next collection's plan freezes them for good.
                sink = None if early is None else functools.partial(_offer, early, unique)
                with collector_off(gc.collect):
                    texts = _render(pkg, cfg.templates, sink)
                for rel, text in texts.items():
                    _encodable(text, path, f"{unique}/{rel}")
                    rendered[f"{unique}/{rel}"] = text
        except (GeneratorError, RecursionError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise _unexpected(exc, path, shown) from exc
        if progress:
            progress.update(done + 1)
    return Result(packages, rendered, {}, notices)


def generate_all(cfg: Config, progress: bool = False) -> Result:
    """Load, plan and render every collection named by the configuration."""
    return plan_all(cfg, _collections(cfg), Progress(progress))


def _offer(early: EarlyVet, package: str, rel: str, piece: str) -> None:
    early.offer(f"{package}/{rel}", piece)


def _render(pkg: Package, templates: Path | None,
            sink: Callable[[str, str], None] | None = None) -> dict[str, str]:
    import jinja2

    from .render import render_package

    try:
        return render_package(pkg, templates, sink)
    except jinja2.TemplateError as exc:
        raise _template_error(exc, templates) from exc


def _template_error(exc: Exception, templates: Path | None) -> ConfigError:
    """`my_templates/models.py.jinja:12: template error: 'x' is undefined`."""
    import jinja2

    file, line = None, None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        file, line = exc.filename or exc.name, exc.lineno
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".jinja"):
            file, line = name, tb.tb_lineno
        tb = tb.tb_next
    message = getattr(exc, "message", None) or str(exc)
    if file is None:
        return ConfigError(f"template error: {message}")
    resolved = Path(file).resolve()
    shown = f"built-in template {resolved.name}"
    if templates is not None and resolved.is_relative_to(templates.resolve()):
        shown = (templates / resolved.relative_to(templates.resolve())).as_posix()
    return ConfigError(f"{shown}:{line}: template error: {message}")


def _encodable(text: str, source: Path, rel: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _unexpected(exc, source, None) from exc


def _jpath(parent: str, key: object) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    text = str(key)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        return f"{parent}.{text}"
    return f"{parent}[{text.encode('ascii', 'backslashreplace').decode()!r}]"


def _find(value: object, hit: Callable[[str], bool]) -> str | None:
    """JSON path of the first string (value or key) for which `hit` is true."""
    stack: list[tuple[str, object]] = [("$", value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if hit(node):
                return path
        elif isinstance(node, dict):
            items = list(node.items())
            for k, v in reversed(items):
                if isinstance(k, str) and hit(k):
                    return _jpath(path, k)
                stack.append((_jpath(path, k), v))
        elif isinstance(node, list):
            stack.extend((_jpath(path, i), v) for i, v in reversed(list(enumerate(node))))
    return None


# A lone surrogate, or its JSON escape inside a string that holds JSON (a body).
_SURROGATE = re.compile("[\ud800-\udfff]|\\\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_JAMO = re.compile("[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]")
_BIG_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?[eE]\+?\d{3,}")


def _overflows(text: str) -> bool:
    return any(float(m.group(0)) in (float("inf"), float("-inf"))
               for m in _BIG_NUMBER.finditer(text))


def _unexpected(exc: Exception, source: Path, shown: str | None) -> InputError:
    """An error the loader or planner did not foresee, turned into `file: $.path:
    message`: the place is found in the collection where the kind of error says
    what to look for, else taken from the innermost frame that was reading one."""
    from .collection import read_json

    shown = shown or source.name
    where: str | None = None
    message = f"cannot generate code for this value ({type(exc).__name__}: {exc})"
    try:
        data = read_json(source)
    except GeneratorError:
        data = None
    if isinstance(exc, UnicodeError) or "surrogate" in str(exc):
        where = _find(data, lambda s: bool(_SURROGATE.search(s)))
        message = "text holds a lone surrogate (such as \\ud800), which is not valid Unicode"
    elif "inf" in str(exc) or "nan" in str(exc).lower() or isinstance(exc, OverflowError):
        where = _find(data, _overflows)
        if where:
            message = "a number too large for a float (such as 1e400)"
    elif "identifier" in str(exc):
        where = _find(data, lambda s: bool(_JAMO.search(s)))
        if where:
            message = ("a name of Hangul conjoining jamo that recompose into no valid Python "
                       f"identifier ({exc})")
    if where is None:
        tb: TracebackType | None = exc.__traceback__
        while tb is not None:
            local = tb.tb_frame.f_locals
            for key in ("path", "jpath", "rpath"):
                value = local.get(key)
                if isinstance(value, str) and value.startswith(("$", "item")):
                    where = value
            for key in ("example", "req", "request", "folder", "node"):
                value = getattr(local.get(key), "source", None)
                if isinstance(value, str) and value.startswith("item"):
                    where = value
            tb = tb.tb_next
    if where and not where.startswith("$"):
        where = "$." + where
    return InputError(shown, where or "$", message)


def _report(notices: list[Notice], verbose: bool) -> None:
    if not notices:
        return
    click.secho(f"{len(notices)} warning(s):", fg="yellow", err=True)
    shown = notices if verbose else notices[:MAX_NOTICES]
    for n in shown:
        click.echo(f"  {terminal_safe(cut_line(str(n)))}", err=True)
    if len(shown) < len(notices):
        click.echo(f"  ... and {len(notices) - len(shown)} more (use --verbose)", err=True)


def _options_key(cfg: Config) -> str:
    o = cfg.options
    return options_hash({
        "model_style": o.model_style, "optional": o.optional,
        "environment_defaults": o.environment_defaults,
        "types": {k: dict(v) for k, v in o.types.items()}, "names": dict(o.names),
        "packages": cfg.packages,
    })


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        click.echo(terminal_safe(text), err=True)


def _run(cfg: Config, check: bool, verbose: bool, quiet: bool, jobs: int,
         wait: float = DEFAULT_WAIT) -> int:
    out = cfg.output
    files = _collections(cfg)
    inputs = _input_paths(cfg, files)
    if not check:
        recover(out)  # an older version's interrupted swap left the folder aside
    with run_lock(out, exclusive=False, wait=wait):
        old = Lock.read(out)
        header = lock_header(hash_inputs(inputs, old),
                             templates_hash(cfg.templates), _options_key(cfg))
        nothing_to_do = fresh(out, old, header)
    if nothing_to_do and check:
        _say(quiet, f"{out}: up to date ({len(old.files)} files)")
        return 0
    if nothing_to_do:
        reexported = old.header.get("raw") != header.get("raw")
        if reexported or has_stale_stages(out):
            with run_lock(out, exclusive=True, wait=wait):
                clean_stale(out)
                if reexported:
                    # Only the inputs' bytes changed, not their meaning: record the
                    # new bytes so the next run need not parse them; render nothing.
                    current = Lock.read(out)
                    lock = Lock(current.files, _with_stats(header, current.header.get("stats")))
                    write_tree(out, Changes({LOCK_NAME: lock.render().encode()}, [], 0))
        note = "; inputs re-exported without changes" if reexported else ""
        _say(quiet, f"{out}: up to date; 0 file(s) written, {len(old.files)} unchanged{note}")
        return 0

    progress = Progress(enabled=not quiet)
    def wants(rel: str) -> bool:  # no blocks on disk to reuse
        return not old.reusable_blocks(rel, header)

    try:
        with EarlyVet(jobs, wants) as early:
            result = plan_all(cfg, files, progress, early=early)
            header["stats"] = _stats_rows(result.packages)
            progress.phase("formatting", 1)
            tree = build_tree(out, result.files, header, jobs=jobs, progress=progress.update,
                              early=early.results())
    finally:
        progress.close()
    if not quiet:
        _report(result.notices, verbose)
    if check:
        with run_lock(out, exclusive=False, wait=wait):
            changes = compare(out, tree)
            reasons = stale_reasons(out, Lock.read(out), header)
        if changes.empty:
            _say(quiet, f"{out}: up to date ({len(tree)} files)")
            return 0
        if changes.only_lock:
            why = "; ".join(reasons) or "the lock's record differs"
            what = ("inputs changed but no generated file would"
                    if reasons and all(r.startswith("collection") for r in reasons)
                    else "no generated file would change")
            _say(quiet, f"{out}: up to date; {what} ({why}); `{COMMAND}` refreshes {LOCK_NAME}")
            return 0
        click.secho(f"{out}: out of date:", fg="red", err=True)
        for reason in reasons:
            click.echo(f"  {terminal_safe(cut_line(reason))}", err=True)
        from .changes import summary_for_output

        summary = summary_for_output(out, result.files)
        if summary:  # what a caller of the client sees, before the line diff
            for line in filter(str.strip, summary.splitlines()):
                click.echo(f"  {terminal_safe(cut_line(line))}", err=True)
        sys.stderr.flush()
        click.echo(unified_diff(out, changes), nl=False)
        sys.stdout.flush()
        n = len(set(changes.write) - {LOCK_NAME}) + len(changes.delete)
        click.secho(f"{out}: {n} file(s) out of date; run `{COMMAND}`", fg="red", err=True)
        return EXIT_DRIFT
    with run_lock(out, exclusive=True, wait=wait):
        changes = compare(out, tree)
        write_tree(out, changes)
    _say(quiet,
         f"{out}: {len(result.packages)} package(s), {len(changes.write)} file(s) written, "
         f"{len(changes.delete)} removed, {changes.unchanged} unchanged")
    return 0


def _error(text: str) -> None:
    click.secho(f"error: {terminal_safe(cut_line(text))}", fg="red", err=True)


def _guard(debug: bool, fn: Callable[[], int]) -> int:
    """Every failure ends as a message and exit code 2; a traceback only with --debug."""
    try:
        return fn()
    except GeneratorError as exc:
        if debug:
            traceback.print_exc()
        _error(str(exc))
        return EXIT_USAGE
    except (RecursionError, MemoryError) as exc:
        if debug:
            traceback.print_exc()
        _error(f"input too large or too deeply nested ({type(exc).__name__})")
        return EXIT_USAGE
    except OSError as exc:
        if debug:
            traceback.print_exc()
        _error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback
        if debug:
            traceback.print_exc()
        _error(f"{type(exc).__name__}: {exc} (a postman-codegen bug: run with --debug "
               "for the traceback and please report it)")
        return EXIT_USAGE


_sources = click.argument("sources", nargs=-1, type=click.Path(path_type=str))
_output = click.option("-o", "--output", help="Output folder (default: generated/).")
_templates = click.option(
    "--templates", type=click.Path(path_type=str),
    help="Folder of templates overriding built-in ones by file name (models.py.jinja, ...).")
_model_style = click.option(
    "--model-style", type=str, default=None,
    help="dataclass (default, httpx only) or msgspec; overrides `model_style`.")
_debug = click.option("--debug", is_flag=True, help="Show a traceback on errors.")
_quiet = click.option("-q", "--quiet", is_flag=True,
                      help="Print only errors and diffs (no progress bar, no summary).")
_verbose = click.option("-v", "--verbose", is_flag=True, help="List every warning.")
_jobs = click.option("-j", "--jobs", type=int, default=lambda: min(os.cpu_count() or 1, 4),
                     show_default="cpus, at most 4", help="Parallel black workers.")
_wait = click.option("--wait", type=float, default=DEFAULT_WAIT, show_default=True,
                     metavar="SECONDS",
                     help="How long to wait for another run writing the same output folder.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="postman-codegen")
def main() -> None:
    """Generate typed Python API clients from Postman collections.

    \b
    Examples:
      postman-codegen generate                      # sources from pyproject.toml
      postman-codegen generate api.postman_collection.json -o src/clients
      postman-codegen check                         # CI drift check, exit 1 on drift

    Exit codes: 0 in sync, 1 drift (check), 2 bad input or usage.
    """


def _load(sources: tuple[str, ...], output: str | None, templates: str | None,
          model_style: str | None) -> Config:
    return Config.load(sources, output, templates, model_style=model_style)


@main.command()
@_sources
@_output
@_templates
@_model_style
@click.option("--check", is_flag=True, help="Write nothing; show a diff and exit 1 on drift.")
@_debug
@_quiet
@_verbose
@_jobs
@_wait
def generate(sources: tuple[str, ...], output: str | None, templates: str | None,
             model_style: str | None, check: bool, debug: bool, quiet: bool, verbose: bool,
             jobs: int, wait: float) -> None:
    """Generate one package per collection into the output folder.

    SOURCES are collection files, exported items, or folders of them
    (default: `sources` of [tool.postman-codegen], else collections/).
    """
    sys.exit(_guard(debug, lambda: _run(_load(sources, output, templates, model_style),
                                        check, verbose, quiet, jobs, wait)))


@main.command()
@_sources
@_output
@_templates
@_model_style
@_debug
@_quiet
@_verbose
@_jobs
@_wait
def check(sources: tuple[str, ...], output: str | None, templates: str | None,
          model_style: str | None, debug: bool, quiet: bool, verbose: bool, jobs: int,
          wait: float) -> None:
    """Exit 1 with a diff when the output folder is stale (same as generate --check).

    Says first why: collection changed, generator/formatter/template version
    changed, or a generated file was edited by hand. Exit 0 when in sync.
    """
    sys.exit(_guard(debug, lambda: _run(_load(sources, output, templates, model_style),
                                        True, verbose, quiet, jobs, wait)))


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


def _stats_rows(packages: list[Package]) -> list[list[str]]:
    """The rows of the `stats` table, one per package (recorded in the lock too)."""
    rows = []
    for pkg in packages:
        typed, unknown = _field_counts(pkg)
        rows.append([
            pkg.name, str(pkg.stats.get("requests", 0)), str(pkg.stats.get("examples", 0)),
            str(pkg.stats.get("json_examples", 0)), str(typed), str(unknown),
            str(len(pkg.notices)),
        ])
    return rows


def _with_stats(header: dict[str, object], rows: object) -> dict[str, object]:
    return {**header, "stats": rows} if rows is not None else header


def _recorded_stats(cfg: Config, files: list[Path]) -> list[list[str]] | None:
    """The table the last `generate` recorded in the lock, when the output folder is
    up to date with these very inputs (then nothing needs planning); else None."""
    old = Lock.read(cfg.output)
    rows = old.header.get("stats")
    if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == 7 and all(isinstance(c, str) for c in r)
            for r in rows):
        return None
    header = lock_header(hash_inputs(_input_paths(cfg, files), old),
                         templates_hash(cfg.templates), _options_key(cfg))
    return rows if fresh(cfg.output, old, header) else None


@main.command()
@_sources
@_model_style
@_debug
def stats(sources: tuple[str, ...], model_style: str | None, debug: bool) -> None:
    """Print a table per collection: requests, examples, typed fields, warnings.

    Writes nothing and renders nothing: when the output folder is up to date with
    these collections it reads the table `generate` recorded, else it plans them.
    SOURCES default to the configured collections.
    """

    def run() -> int:
        cfg = _load(sources, None, None, model_style)
        files = _collections(cfg)
        table = _recorded_stats(cfg, files)
        if table is None:
            table = _stats_rows(plan_all(cfg, files, render=False).packages)
        rows = [["collection", "requests", "examples", "JSON typed", "fields typed",
                 "unknown JSON", "warnings"], *table]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for n, row in enumerate(rows):
            cells = [c.ljust(w) if i == 0 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(row, widths))]
            click.echo("| " + " | ".join(cells) + " |")
            if n == 0:
                click.echo("|" + "|".join("-" * (w + 1) + (":" if i else "-")
                                          for i, w in enumerate(widths)) + "|")
        return 0

    sys.exit(_guard(debug, run))


# -- diff: API-level changes between two versions of a collection -------------


def _openapi_of(path: Path, cfg: Config) -> dict[str, object]:
    """The OpenAPI document of a collection file (or of an `openapi.json` as it is)."""
    import json

    from .collection import load, load_environment
    from .openapi import openapi_document
    from .plan import package_name, plan

    if path.suffix == ".json" and not path.name.endswith(".postman_collection.json"):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("openapi"), str):
            return data
    env_path = environment_for(path)
    variables = load_environment(env_path) if env_path else None
    base = cfg.packages.get(stem(path)) or cfg.packages.get(path.name)
    pkg = plan(load(path), variables, package_name(base or stem(path)), cfg.options)
    return openapi_document(pkg)


def _built_openapi(new: Path, cfg: Config) -> dict[str, object]:
    """What the output folder was built from: the package's committed openapi.json."""
    import json

    from .plan import package_name

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
