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

from permwise.report.escape import terminal


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


#: ``{file: (policy type, detected?)}``: how each file was read (shown so a wrong guess is visible).
Types = Mapping[str, tuple[str, bool]]


def types_note(types: Types | None) -> str:
    """``as trust (detected)``, ``as identity 2, trust 1 (identity 2 detected)``; empty without types."""
    if not types:
        return ""
    count: dict[str, int] = {}
    detected: dict[str, int] = {}
    for t, det in types.values():
        count[t] = count.get(t, 0) + 1
        detected[t] = detected.get(t, 0) + bool(det)
    if len(types) == 1:
        ((t, det),) = types.values()
        return f" as {t}" + (" (detected)" if det else "")
    shown = ", ".join(f"{t} {n}" for t, n in sorted(count.items()))
    n_det = sum(detected.values())
    if n_det == 0:
        return f" as {shown}"
    if n_det == len(types):
        return f" as {shown} (detected)"
    return f" as {shown} ({n_det} detected)"


def summary_line(findings: Sequence[FindingLike], files: int, types: Types | None = None) -> str:
    s = summary(findings)
    head = f"{_plural(files, 'file')} checked{types_note(types)}"
    if not findings:
        return f"{head}: no findings"
    parts = [_plural(s[k], k) for k in _ORDER if s[k]]
    return f"{head}: " + ", ".join(parts)


def render_text(findings: Iterable[FindingLike], *, files: int | None = None, show_summary: bool = True,
                types: Types | None = None) -> str:
    fs = _sorted(findings)
    lines: list[str] = []
    for f in fs:
        where = f" (at {f.pointer})" if f.pointer else ""
        lines.append(terminal(f"{location(f)}: {f.severity} {f.code} {f.message}{where}"))
        if f.fix:
            lines.append(terminal(f"    fix: {f.fix}"))
    if show_summary:
        n_files = files if files is not None else len({f.file for f in fs})
        lines.append(terminal(summary_line(fs, n_files, types)))
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
                    files: Sequence[str] | None = None, tool_version: str | None = None,
                    types: Types | None = None) -> str:
    """Dispatch on ``fmt`` (``text``, ``json``, ``sarif``).

    ``types`` (``{file: (policy type, detected)}``) is shown in the text summary, as ``types`` in
    JSON (``{file: {"type", "detected"}}``) and as artifact properties in SARIF.
    """
    if fmt == "text":
        return render_text(findings, files=len(files) if files is not None else None, types=types)
    if fmt == "json":
        extra = None
        if types:
            extra = {"types": {f: {"type": t, "detected": d} for f, (t, d) in sorted(types.items())}}
        return render_json(findings, files=files, extra=extra)
    if fmt == "sarif":
        from permwise.report.sarif import to_sarif

        props = {f: {"policyType": t, "policyTypeDetected": d} for f, (t, d) in types.items()} if types else None
        return to_sarif(findings, rules, tool_version=tool_version, artifacts=files, artifact_properties=props)
    raise ValueError(f"unknown format {fmt!r}")
