"""Errors shared by every layer.

Bad user input raises :class:`InputError`; the CLI turns it into exactly one line on stderr and
exit code 2. Messages follow one style: lowercase start, no final period, user input in backticks,
and a ``hint`` that says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


class PermwiseError(Exception):
    """Base class of every error permwise raises on purpose."""


@dataclass(eq=False)
class InputError(PermwiseError):
    """Input that permwise cannot use: unreadable, malformed, wrong type, unknown name."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def location(self) -> str:
        """``file:line:col`` (or ``file#/pointer``) as far as it is known."""
        if not self.file:
            return self.pointer or ""
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        elif self.pointer:
            loc += f"#{self.pointer}"
        return loc

    def one_line(self) -> str:
        parts = []
        if self.location:
            parts.append(f"{self.location}: ")
        parts.append(self.message)
        if self.pointer and self.line is not None:
            parts.append(f" (at {self.pointer})")
        if self.hint:
            parts.append(f"; hint: {self.hint}")
        return "".join(parts).replace("\n", " ")

    def __str__(self) -> str:
        return self.one_line()


class AwsError(PermwiseError):
    """A live AWS problem (credentials, profile, endpoint) reported as one line, exit 2."""
