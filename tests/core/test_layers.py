"""The layers of DESIGN.md and docs/architecture.md, asserted on the source: every import of a
permwise module (at the top or inside a function) points down the layers, and no module reaches
for another module's private (``_name``) names or private modules.

Layers, bottom first (a module may import its own layer and the layers below it):

0. shared foundations: ``errors``, ``diagnostics``, ``clock``, ``wording``, ``fsutil``, ``sources``,
   ``parallel``, ``executors`` (and the package's ``__init__``: version text)
1. ``catalog``  2. ``policy``  3. ``engine``  4. ``environment``
5. the analyses: ``requirements``, ``audit``, ``gates``, ``access``, ``scale``
6. ``aws``  7. ``report``, then ``jsonl`` (the engine's batch runner: it reads cases and
writes each result as the report layer words it, so it sits above both)  8. ``cli`` (and ``python -m permwise``)
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import permwise

ROOT = Path(permwise.__file__).resolve().parent

LAYERS: dict[str, float] = {
    "errors": 0, "diagnostics": 0, "clock": 0, "wording": 0, "fsutil": 0, "sources": 0, "parallel": 0, "executors": 0,
    "catalog": 1,
    "policy": 2,
    "engine": 3,
    "environment": 4,
    "requirements": 5, "audit": 5, "gates": 5, "access": 5, "scale": 5,
    "aws": 6,
    "report": 7,
    "jsonl": 7.5,
    "cli": 8,
}
#: the package root (``permwise/__init__.py``: version text) and ``python -m permwise``
TOP = {"permwise": 0, "permwise.__main__": 8}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    line: int
    target: str  # dotted module imported (``from permwise.x import y``: ``permwise.x``)
    names: tuple[str, ...]  # names imported from ``target`` (``from`` imports)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(), str(p)) for p in sorted(ROOT.rglob("*.py"))}


def imports(name: str, tree: ast.Module, is_package: bool) -> list[Import]:
    out = []
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [Import(name, node.lineno, a.name, ()) for a in node.names if a.name.startswith("permwise")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "permwise" or target.startswith("permwise."):
                out.append(Import(name, node.lineno, target, tuple(a.name for a in node.names)))
    return out


def layer(module: str) -> float:
    if module in TOP:
        return TOP[module]
    return LAYERS[module.split(".")[1]]


def is_private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


@pytest.fixture(scope="module")
def graph() -> list[Import]:
    out = []
    for name, tree in modules().items():
        is_package = (ROOT.parent / name.replace(".", "/") / "__init__.py").exists()
        out += imports(name, tree, is_package)
    return out


def test_every_package_has_a_layer():
    tops = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    tops |= {p.stem for p in ROOT.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert tops <= set(LAYERS), f"give these a layer here and in docs/architecture.md: {sorted(tops - set(LAYERS))}"


def test_imports_point_down_the_layers(graph):
    up = []
    for imp in graph:
        targets = [imp.target]
        if imp.target == "permwise":  # `from permwise import catalog`
            targets = [f"permwise.{n}" for n in imp.names if n.split(".")[0] in LAYERS]
        for t in targets:
            if layer(t) > layer(imp.importer):
                up.append(f"{imp.importer}:{imp.line} imports {t} (layer {layer(t)} > {layer(imp.importer)})")
    assert not up, "imports must point down the layers:\n" + "\n".join(up)


def test_the_test_sees_lazy_imports(graph):
    # the CLI imports most of its work inside the command functions: those count too
    assert any(i.importer == "permwise.cli.audit" and i.target == "permwise.audit" for i in graph)
    assert layer("permwise.cli.main") == 8 and layer("permwise.diagnostics") == 0


def _private_module(target: str, importer: str) -> str | None:
    """The private module in ``target`` that ``importer`` is not inside of, if any."""
    parts = target.split(".")
    for i, part in enumerate(parts):
        if is_private(part):
            owner = ".".join(parts[:i])  # the package the private module belongs to
            if not (importer == owner or importer.startswith(owner + ".")):
                return ".".join(parts[: i + 1])
    return None


def test_no_module_imports_a_private_name_of_another(graph):
    found = []
    for imp in graph:
        if imp.target == imp.importer:
            continue
        for n in imp.names:
            own_module = (ROOT.parent / imp.target.replace(".", "/") / f"{n}.py").exists() and \
                imp.importer.startswith(imp.target + ".")  # `from permwise.policy import _catalog` in policy
            if is_private(n) and not own_module:
                found.append(f"{imp.importer}:{imp.line} imports `{n}` from {imp.target}")
        priv = _private_module(imp.target, imp.importer)
        if priv is not None:
            found.append(f"{imp.importer}:{imp.line} imports private module {priv}")
    assert not found, "private names stay in their module:\n" + "\n".join(found)


def test_no_module_reads_a_private_attribute_of_an_imported_module():
    """``from permwise.gates import exposure as _exposure`` then ``_exposure._helper``: the same
    reach into another module's privates, through an attribute."""
    found = []
    for name, tree in modules().items():
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("permwise"):
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("permwise"):
                        aliases[a.asname or a.name.split(".")[0]] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and is_private(node.attr)):
                target = aliases[node.value.id]
                if (ROOT.parent / (target.replace(".", "/") + ".py")).exists() or \
                        (ROOT.parent / target.replace(".", "/") / "__init__.py").exists():
                    found.append(f"{name}:{node.lineno} reads {node.value.id}.{node.attr} of {target}")
    assert not found, "private names stay in their module:\n" + "\n".join(found)


def test_the_private_checks_can_fail():
    tree = ast.parse("from permwise.audit.probe import _arn_region\nfrom permwise.policy._catalog import x\n")
    imps = imports("permwise.audit.scp", tree, False)
    assert [n for i in imps for n in i.names if is_private(n)] == ["_arn_region"]
    assert _private_module("permwise.policy._catalog", "permwise.audit.scp") == "permwise.policy._catalog"
    assert _private_module("permwise.policy._catalog", "permwise.policy.lint") is None
