"""Configuration from `[tool.postman-codegen]` in pyproject.toml, overridden by flags."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GeneratorError, InputError
from .options import Options

ENV_SUFFIX = ".postman_environment.json"
GLOBALS_SUFFIX = ".postman_globals.json"


@dataclass(frozen=True, slots=True)
class Config:
    sources: tuple[Path, ...]
    output: Path
    templates: Path | None = None
    packages: dict[str, str] = field(default_factory=dict)  # source stem -> package
    options: Options = field(default_factory=Options)

    @classmethod
    def load(
        cls, sources: tuple[str, ...], output: str | None, templates: str | None,
        start: Path | None = None,
    ) -> Config:
        """Flags win over pyproject.toml, which wins over the defaults."""
        table, root = _find_table(start or Path.cwd())
        cfg_sources = table.get("sources", ["collections"])
        if isinstance(cfg_sources, str):
            cfg_sources = [cfg_sources]
        packages = table.get("packages", {})
        if not isinstance(cfg_sources, list) or not all(isinstance(s, str) for s in cfg_sources):
            raise GeneratorError("[tool.postman-codegen] sources: expected a list of paths")
        if not isinstance(packages, dict):
            raise GeneratorError("[tool.postman-codegen] packages: expected a table")
        base = root or Path.cwd()
        src = tuple(Path(s) for s in sources) or tuple(_rel(base, s) for s in cfg_sources)
        out = Path(output) if output else _rel(base, str(table.get("output", "generated")))
        tpl = templates or table.get("templates")
        return cls(
            sources=src,
            output=out,
            templates=Path(tpl) if tpl and templates else (_rel(base, str(tpl)) if tpl else None),
            packages={str(k): str(v) for k, v in packages.items()},
        )


def _rel(base: Path, value: str) -> Path:
    p = Path(value)
    if p.is_absolute():
        return p
    try:
        return (base / p).relative_to(Path.cwd())
    except ValueError:
        return base / p


def _find_table(start: Path) -> tuple[dict[str, object], Path | None]:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise InputError(candidate, "$", f"cannot read configuration: {exc}") from None
            tool = data.get("tool", {})
            table = tool.get("postman-codegen") if isinstance(tool, dict) else None
            if isinstance(table, dict):
                return table, folder
            return {}, folder
    return {}, None


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
