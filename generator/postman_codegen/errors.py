"""Errors and warnings the generator reports to its user."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class GeneratorError(Exception):
    """A problem the user must fix; the CLI prints it and exits with code 2."""


class InputError(GeneratorError):
    """Bad input: names the file and the JSON path of the offending value."""

    def __init__(self, file: Path | str, path: str, message: str) -> None:
        self.file = str(file)
        self.path = path
        self.message = message
        super().__init__(f"{self.file}: {path}: {message}")


@dataclass(frozen=True, slots=True)
class Notice:
    """Something skipped or guessed, reported once in the warning summary."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"
