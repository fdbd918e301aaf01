"""Configuration from `[tool.postman-codegen]` in pyproject.toml, overridden by flags.

Every key is checked: an unknown key, a value of the wrong type, a template
file that overrides nothing or a missing templates folder stops the run with
exit code 2 and a message naming it (with a "did you mean" when one is close).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .errors import ConfigError, InputError
from .options import MODEL_STYLES, OPTIONAL_MODES, Options

ENV_SUFFIX = ".postman_environment.json"
GLOBALS_SUFFIX = ".postman_globals.json"
TABLE = "[tool.postman-codegen]"

# Every key `[tool.postman-codegen]` understands, with what its value must be.
KEYS: dict[str, str] = {
    "sources": "a path or a list of paths",
    "output": "a path",
    "templates": "a path",
    "packages": "a table of collection name = package name",
    "model_style": " or ".join(repr(s) for s in MODEL_STYLES),
    "optional": " or ".join(repr(s) for s in OPTIONAL_MODES),
    "environment_defaults": "true or false",
    "types": 'a table of "package.method" = { jmespath = "type" }',
    "names": 'a table of "current name or request path" = "new name"',
}


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """` (did you mean 'output'?)` when one of `choices` is close to `word`, else ``."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True, slots=True)
class Config:
    sources: tuple[Path, ...]
    output: Path
    templates: Path | None = None
    packages: dict[str, str] = field(default_factory=dict)  # source stem -> package
    options: Options = field(default_factory=Options)
    # Paths written into generated text and the lock are relative to this folder:
    # the folder of the pyproject.toml in use, or the sources' common parent.
    root: Path | None = None

    @classmethod
    def load(
        cls, sources: tuple[str, ...], output: str | None, templates: str | None,
        start: Path | None = None, model_style: str | None = None,
    ) -> Config:
        """Flags win over pyproject.toml, which wins over the defaults."""
        table, project, where = _find_table(start or Path.cwd())
        _check_keys(table, where)
        cfg_sources = table.get("sources", ["collections"])
        if isinstance(cfg_sources, str):
            cfg_sources = [cfg_sources]
        if not isinstance(cfg_sources, list) or not all(isinstance(s, str) for s in cfg_sources):
            raise _wrong(where, "sources", cfg_sources)
        for key in ("output", "templates"):
            if key in table and not isinstance(table[key], str):
                raise _wrong(where, key, table[key])
        packages = _str_table(table.get("packages", {}), where, "packages")
        options = _options(table, where, model_style)
        base = project or Path.cwd()
        src = tuple(Path(s) for s in sources) or tuple(_rel(base, s) for s in cfg_sources)
        out = Path(output) if output else _rel(base, str(table.get("output", "generated")))
        tpl: Path | None = None
        if templates:
            tpl = Path(templates)
            check_templates(tpl, "--templates")
        elif "templates" in table:
            tpl = _rel(base, str(table["templates"]))
            check_templates(tpl, f"{where} templates")
        return cls(
            sources=src, output=out, templates=tpl, packages=packages, options=options,
            root=project_root(project, src),
        )

    def display(self, path: Path) -> str:
        """How generated text and the lock name `path`: relative to the project root,
        so the bytes never depend on the folder a command runs from."""
        return display(path, self.root)


def display(path: Path, root: Path | None) -> str:
    resolved = Path(os.path.abspath(path))
    if root is not None:
        try:
            return resolved.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.name


def project_root(project: Path | None, sources: tuple[Path, ...]) -> Path | None:
    """The folder of the pyproject.toml in use when it holds every source, else the
    common parent of the sources (a folder source counts by its parent, so its files
    read `collections/NAME.postman_collection.json` either way)."""
    abs_sources = [Path(os.path.abspath(s)) for s in sources]
    if project is not None:
        proj = Path(os.path.abspath(project))
        if all(s == proj or proj in s.parents for s in abs_sources):
            return proj
    if not abs_sources:
        return Path(os.path.abspath(project)) if project else None
    parents = [str(s.parent) for s in abs_sources]
    try:
        return Path(os.path.commonpath(parents))
    except ValueError:  # different drives
        return None


def _check_keys(table: Mapping[str, object], where: str) -> None:
    for key in table:
        if key not in KEYS:
            raise ConfigError(
                f"{where}: unknown key {key!r}{did_you_mean(key, set(KEYS))}; "
                f"known keys: {', '.join(KEYS)}"
            )


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _wrong(where: str, key: str, value: object) -> ConfigError:
    return ConfigError(f"{where} {key}: expected {KEYS[key]}, found {_kind(value)}")


def _str_table(value: object, where: str, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _wrong(where, key, value)
    for k, v in value.items():
        if not isinstance(v, str):
            raise ConfigError(
                f"{where} {key}.{k}: expected a string, found {_kind(v)} ({KEYS[key]})"
            )
    return {str(k): v for k, v in value.items()}


def _choice(value: object, origin: str, key: str, choices: tuple[str, ...]) -> str:
    """`value` if it is one of `choices`; else an error naming `origin` (the table and
    key, or the flag) with a "did you mean"."""
    if not isinstance(value, str) or value not in choices:
        shown = repr(value) if isinstance(value, str) else _kind(value)
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise ConfigError(f"{origin}: expected {KEYS[key]}, found {shown}{hint}")
    return value


def _options(table: Mapping[str, object], where: str, model_style: str | None) -> Options:
    if model_style is not None:
        style = _choice(model_style, "--model-style", "model_style", MODEL_STYLES)
    else:
        style = _choice(table.get("model_style", "dataclass"), f"{where} model_style",
                        "model_style", MODEL_STYLES)
    optional = _choice(table.get("optional", "examples"), f"{where} optional", "optional",
                       OPTIONAL_MODES)
    env_defaults = table.get("environment_defaults", False)
    if not isinstance(env_defaults, bool):
        raise _wrong(where, "environment_defaults", env_defaults)
    types_raw = table.get("types", {})
    if not isinstance(types_raw, dict):
        raise _wrong(where, "types", types_raw)
    types: dict[str, Mapping[str, str]] = {}
    for method, paths in types_raw.items():
        if not isinstance(paths, dict):
            raise ConfigError(f"{where} types.{method!r}: expected a table of "
                              f'jmespath = "type", found {_kind(paths)}')
        for path, text in paths.items():
            if not isinstance(text, str):
                raise ConfigError(f"{where} types.{method!r}.{path!r}: expected a type "
                                  f"as a string, found {_kind(text)}")
        types[str(method)] = MappingProxyType(dict(paths))
    names = _str_table(table.get("names", {}), where, "names")
    return Options(
        model_style=style, optional=optional, environment_defaults=env_defaults,
        types=MappingProxyType(types), names=MappingProxyType(names),
    )


def builtin_templates() -> set[str]:
    """Relative paths of the templates shipped with the generator."""
    from .render import templates_dir

    base = templates_dir()
    return {p.relative_to(base).as_posix() for p in base.rglob("*.jinja") if p.is_file()}


def check_templates(folder: Path, origin: str) -> None:
    """A templates folder must exist, and each template in it must override a built-in
    one: a misspelt file name would otherwise be silently ignored."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ConfigError(f"{origin}: templates folder {str(folder)!r} {what}")
    builtin = builtin_templates()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or any(p.startswith(".") for p in path.relative_to(folder).parts):
            continue
        close = difflib.get_close_matches(rel, sorted(builtin), n=1, cutoff=0.8)
        if rel in builtin or (not rel.endswith(".jinja") and not close):
            continue
        raise ConfigError(
            f"{origin}: template {str(path)!r} overrides no built-in template"
            f"{did_you_mean(rel, builtin)}; built-in templates: {', '.join(sorted(builtin))}"
        )


def _rel(base: Path, value: str) -> Path:
    p = Path(value)
    if p.is_absolute():
        return p
    try:
        return (base / p).relative_to(Path.cwd())
    except ValueError:
        return base / p


def _find_table(start: Path) -> tuple[dict[str, object], Path | None, str]:
    """The `[tool.postman-codegen]` table, the folder of its pyproject.toml, and how
    messages name the table."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            shown = display(candidate, Path.cwd().resolve()) if folder != start else candidate.name
            try:
                data = tomllib.loads(candidate.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise InputError(shown, "$", f"cannot read configuration: {exc}") from None
            tool = data.get("tool", {})
            table = tool.get("postman-codegen") if isinstance(tool, dict) else None
            where = f"{shown}: {TABLE}"
            if table is None:
                return {}, folder, where
            if not isinstance(table, dict):
                raise ConfigError(f"{shown}: tool.postman-codegen: expected a table")
            return table, folder, where
    return {}, None, TABLE


def stem(path: Path) -> str:
    """`zoho_crm.postman_collection.json` -> `zoho_crm`."""
    name = path.name
    for suffix in (".postman_collection.json", ".json"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def expand(sources: tuple[Path, ...]) -> list[Path]:
    """Collection files named by the sources (folders are searched for *.json)."""
    out: list[Path] = []
    for src in sources:
        if src.is_dir():
            out.extend(
                p for p in sorted(src.rglob("*.json"))
                if p.is_file() and not p.name.endswith((ENV_SUFFIX, GLOBALS_SUFFIX))
                and not any(part.startswith(".") for part in p.relative_to(src).parts)
            )
        elif src.is_file():
            out.append(src)
        else:
            raise InputError(src, "$", "no such file or folder")
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def environment_for(collection: Path) -> Path | None:
    """The `*.postman_environment.json` beside a collection, by shared name."""
    folder = collection.parent
    candidate = folder / (stem(collection) + ENV_SUFFIX)
    if candidate.is_file():
        return candidate
    return None
