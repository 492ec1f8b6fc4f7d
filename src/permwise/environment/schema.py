"""Whole-file validation of snapshot files against the published JSON Schema.

The schema is ``docs/schemas/snapshot.schema.json`` (shipped as
``permwise/data/schemas/snapshot.schema.json``; a drift test keeps the two equal). It describes
a snapshot as one object keyed by file path; each file is validated alone against the definition
its path selects.

Two validators, for speed: ``fastjsonschema`` compiles each definition to Python code and checks
every file (5x faster than ``jsonschema`` on a generated 3,000-role snapshot: 0.31 s against
1.69 s); it implements drafts up to 7, which is all the per-file definitions use (types, enums,
``const``, patterns, ``oneOf``, ``$ref`` to ``$defs``). Only when a file fails is it validated
again with ``jsonschema`` (Draft 2020-12, the schema's own dialect) to name the best-matching
error and its JSON pointer.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

from permwise.environment.layout import SCHEMA_RESOURCE
from permwise.sources import join_pointer
from permwise.wording import plural


@functools.cache
def _schema() -> dict:
    """The published schema, less the id patterns of organization nodes (``p-``, ``ou-``, ``r-``,
    ``o-``): permwise treats those ids as opaque names that only have to match each other, and
    hand-built snapshots use short ones. Account ids keep their 12-digit pattern."""
    schema = json.loads(resources.files("permwise").joinpath(SCHEMA_RESOURCE).read_text("utf-8"))
    stack: list[Any] = [schema["$defs"]]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str) and node["pattern"] != "^[0-9]{12}$":
                del node["pattern"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return schema


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    s = _schema()
    out = [(re.compile("^" + re.escape(path) + "$"), ref["$ref"]) for path, ref in s["properties"].items()]
    out += [(re.compile(rx), ref["$ref"]) for rx, ref in s["patternProperties"].items()]
    return out


@functools.cache
def _validator(ref: str) -> Any:
    import jsonschema

    s = _schema()
    return jsonschema.Draft202012Validator({"$schema": s["$schema"], "$defs": s["$defs"], "$ref": ref})


@functools.cache
def _fast(ref: str) -> Any:
    import fastjsonschema

    s = _schema()
    defs = _disjoint_any_of(s["$defs"])
    root = {"$schema": "http://json-schema.org/draft-07/schema#", **_inline_refs(defs[ref.rsplit("/", 1)[-1]], defs, 0)}
    if _has_ref(root):  # only a self-referring definition still needs the others (compiling them all costs 0.1 s)
        root["$defs"] = defs
    return fastjsonschema.compile(root)


def _has_ref(node: Any) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "$ref" in n:
                return True
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return False


def _inline_refs(node: Any, defs: dict, depth: int) -> Any:
    """``node`` with each ``{"$ref": "#/$defs/NAME"}`` replaced by a copy of that definition
    (the per-file definitions do not refer to themselves). The compiled code of a ``$ref`` is a
    function call that formats its error path (``str.format(**locals())``) even when the value
    is valid, once per policy document; inline, it costs nothing until an error."""
    if depth > 20:  # a definition that refers to itself: leave the rest as references
        return node
    if isinstance(node, list):
        return [_inline_refs(x, defs, depth) for x in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1 and ref[8:] in defs:
        return _inline_refs(defs[ref[8:]], defs, depth + 1)
    return {k: _inline_refs(v, defs, depth) for k, v in node.items()}


def _disjoint_any_of(node: Any) -> Any:
    """A copy of ``node`` where a ``oneOf`` whose alternatives each require a different JSON
    type (a policy document: an object or JSON text; ``Statement``: a list or an object) is an
    ``anyOf``: no value can match two of them, so both accept exactly the same values, and the
    compiled ``anyOf`` stops at the first alternative that matches where ``oneOf`` tries every
    one (each failing alternative raises, formats and catches an exception: most of the
    validation time of an account's file, once per policy document). Only the fast validator
    gets this copy; the error message still comes from the schema as published."""
    if isinstance(node, list):
        return [_disjoint_any_of(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _disjoint_any_of(v) for k, v in node.items()}
    alts = node.get("oneOf")
    if isinstance(alts, list) and alts:
        types = [a.get("type") if isinstance(a, dict) else None for a in alts]
        if (all(isinstance(t, str) for t in types) and len(set(types)) == len(types)
                and not {"integer", "number"} <= set(types)):  # an integer is a number too
            out["anyOf"] = out.pop("oneOf")
    return out


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _message(err: Any) -> str:
    name = f"`{err.path[-1]}`" if err.path and isinstance(err.path[-1], str) else "the value"
    v, want = err.validator, err.validator_value
    if v == "type":
        types = [want] if isinstance(want, str) else list(want)
        words = {"object": "an object", "array": "a list", "string": "a string", "boolean": "a boolean",
                 "null": "null", "integer": "an integer", "number": "a number"}
        wanted = " or ".join(words.get(t, t) for t in types)
        if name == "the value":
            return f"expected {wanted}, got {_kind(err.instance)}"
        return f"{name} must be {wanted}, got {_kind(err.instance)}"
    if v == "required":
        return err.message.replace("'", "`").replace(" is a required property", " is missing")
    if v == "const" and name == "`format`":
        return f"unsupported snapshot format `{str(err.instance)[:60]}`; this version of permwise reads `{want}`"
    if v in ("enum", "const"):
        allowed = want if isinstance(want, list) else [want]
        return f"{name} must be " + " or ".join(f"`{a}`" for a in allowed) + f", got `{str(err.instance)[:60]}`"
    if v == "pattern" and isinstance(err.instance, str):
        return f"{name} `{err.instance[:80]}` is not in the expected form (`{want}`)"
    if v in ("minItems", "maxItems"):
        return f"{name} has {plural(len(err.instance), 'item')}; the schema allows {'at least' if v == 'minItems' else 'at most'} {want}"
    if v == "oneOf" and err.path and err.path[-1] in ("Content", "PolicyDocument", "Document", "Policy",
                                                       "AssumeRolePolicyDocument"):
        return f"{name} must be a policy document (an object with `Statement`, or JSON text), got {_kind(err.instance)}"
    text = " ".join(str(err.message).split())
    return text if len(text) <= 160 else text[:157] + "..."


def schema_error(rel: str, data: Any) -> tuple[str, str] | None:
    """``(json pointer, message)`` of the first schema violation of snapshot file ``rel``, or None.

    Files the schema does not describe (a later format's extra file) are not checked here.
    """
    ref = next((r for rx, r in _routes() if rx.match(rel)), None)
    if ref is None:
        return None
    import fastjsonschema

    try:
        _fast(ref)(data)
        return None
    except fastjsonschema.JsonSchemaException:
        pass
    import jsonschema  # 0.1 s to import: only for a file that fails

    errors = list(_validator(ref).iter_errors(data))
    if not errors:  # the two validators disagree: trust the Draft 2020-12 one
        return None

    err = jsonschema.exceptions.best_match(errors)
    # the deepest error under a oneOf names the real culprit better than "is not valid under any"
    pointer = join_pointer("", *err.absolute_path)
    return pointer, _message(err)
