"""Render findings (``permwise.policy.Finding`` or anything with the same attributes).

- text: one block per finding, ``FILE:LINE:COL: severity CODE message (at POINTER)`` and an
  indented ``fix:`` line, then a summary line; deterministic order.
- json: ``{"version": 1, "summary": {...}, "findings": [...]}``, keys sorted.
- sarif: see :mod:`permwise.report.sarif`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import orjson


class FindingLike(Protocol):
    code: str
    severity: str
    message: str
    file: str | None
    line: int | None
    column: int | None
    pointer: str
    fix: str | None

    def to_dict(self) -> dict[str, Any]: ...


_ORDER = ("error", "warning", "suggestion")


def _sorted(findings: Iterable[FindingLike]) -> list[FindingLike]:
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, f.column or 0, f.pointer or "", f.code, f.message))


def location(f: FindingLike) -> str:
    loc = f.file or "<policy>"
    if f.line is not None:
        loc += f":{f.line}"
        if f.column is not None:
            loc += f":{f.column}"
    return loc


def summary(findings: Sequence[FindingLike], files: int | None = None) -> dict[str, int]:
    out = {s: 0 for s in _ORDER}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    if files is not None:
        out["files"] = files
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(findings: Sequence[FindingLike], files: int) -> str:
    s = summary(findings)
    if not findings:
        return f"{_plural(files, 'file')} checked: no findings"
    parts = [_plural(s[k], k) for k in _ORDER if s[k]]
    return f"{_plural(files, 'file')} checked: " + ", ".join(parts)


def render_text(findings: Iterable[FindingLike], *, files: int | None = None, show_summary: bool = True) -> str:
    fs = _sorted(findings)
    lines: list[str] = []
    for f in fs:
        where = f" (at {f.pointer})" if f.pointer else ""
        lines.append(f"{location(f)}: {f.severity} {f.code} {f.message}{where}")
        if f.fix:
            lines.append(f"    fix: {f.fix}")
    if show_summary:
        n_files = files if files is not None else len({f.file for f in fs})
        lines.append(summary_line(fs, n_files))
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(findings: Iterable[FindingLike], *, files: Sequence[str] | None = None,
                extra: Mapping[str, Any] | None = None) -> str:
    fs = _sorted(findings)
    doc: dict[str, Any] = {
        "version": 1,
        "summary": summary(fs, len(files) if files is not None else None),
        "findings": [f.to_dict() for f in fs],
    }
    if files is not None:
        doc["files"] = sorted(files)
    if extra:
        doc.update(extra)
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


def render_findings(fmt: str, findings: Iterable[FindingLike], *, rules: Iterable[Any] = (),
                    files: Sequence[str] | None = None, tool_version: str | None = None) -> str:
    """Dispatch on ``fmt`` (``text``, ``json``, ``sarif``)."""
    if fmt == "text":
        return render_text(findings, files=len(files) if files is not None else None)
    if fmt == "json":
        return render_json(findings, files=files)
    if fmt == "sarif":
        from permwise.report.sarif import to_sarif

        return to_sarif(findings, rules, tool_version=tool_version, artifacts=files)
    raise ValueError(f"unknown format {fmt!r}")
