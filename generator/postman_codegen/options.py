"""Choices a user makes about the generated code (`[tool.postman-codegen]`, flags)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

MODEL_STYLES = ("dataclass", "msgspec")
OPTIONAL_MODES = ("examples", "all")


@dataclass(frozen=True, slots=True)
class Options:
    """What the planner and the renderer are told, beyond the collection itself."""

    # `dataclass` (httpx only) or `msgspec` (msgspec.Struct models).
    model_style: str = "dataclass"
    # `examples`: a field is optional when some example lacks it; `all`: every
    # field tolerates null and absence.
    optional: str = "examples"
    # Take environment values (other than base URLs) as parameter defaults.
    # Secrets and credential-like values are never taken, whatever this says.
    environment_defaults: bool = False
    # `[tool.postman-codegen.types]`: "package.method" -> {jmespath: type}.
    types: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({}))
    # `[tool.postman-codegen.names]`: current name or request path -> new name.
    names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
