"""Renderers: they read results (findings, check and audit reports) and return text; they never
decide anything.

- ``report.findings``: findings as text and JSON; ``report.sarif``: any rule registry and findings
  as SARIF 2.1.0 (used by ``validate`` and ``audit``).
- ``report.check`` and ``report.audit``: terminal, JSON and Markdown views of those analyses.
- ``report.html``: self-contained HTML pages (Jinja2, autoescaped) for ``check`` and ``audit``.
- ``report.console``: a rich console that never cuts identifiers when output is piped.
"""

from permwise.report.findings import render_findings, render_json, render_text
from permwise.report.sarif import to_sarif

__all__ = ["render_findings", "render_json", "render_text", "to_sarif"]
