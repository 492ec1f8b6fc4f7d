"""Renderers: findings as text, JSON and SARIF 2.1.0 (``report.findings``, ``report.sarif``).

Renderers read data (findings, rule metadata) and return strings; they never decide anything.
"""

from permwise.report.findings import render_findings, render_json, render_text
from permwise.report.sarif import to_sarif

__all__ = ["render_findings", "render_json", "render_text", "to_sarif"]
