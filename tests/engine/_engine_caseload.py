"""Shared helpers for engine tests: load the data-driven case files."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from permwise.catalog import get_catalog
from permwise.clock import now_instant
from permwise.engine.cases import case_from_dict

CASES_DIR = Path(__file__).parent / "cases"

#: the run's instant and the catalog's RCP-supported services: what a caller passes the engine
RUN_AT = now_instant()
RCP_SERVICES = get_catalog().rcp_supported_services()


def read_case(case: dict, **kw):
    """``case_from_dict`` with what the CLI passes: the catalog's RCP services and one instant."""
    return case_from_dict(case, rcp_services=RCP_SERVICES, at=RUN_AT, **kw)

DECISIONS = {"allowed", "explicitDeny", "implicitDeny"}


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _operator_cases(path: Path, data: dict) -> list[dict]:
    """Expand an operator table: each row ``[policy values, request value | ABSENT, truth]``
    becomes two cases: an Allow guarded by the condition (allowed iff true) and a Deny guarded
    by it next to an allow-all (explicitDeny iff true)."""
    out = []
    page = data["page"]
    principal = data.get("principal", "arn:aws:iam::111122223333:user/alice")
    for ti, t in enumerate(data["tables"]):
        op, key = t["operator"], t["key"]
        for i, row in enumerate(t["rows"]):
            pvals, rval, truth = row
            cond = {op: {key: pvals}}
            ctx = {} if rval == "ABSENT" else {key: rval}
            request = {
                "principal": principal,
                "action": "s3:GetObject",
                "resource": "arn:aws:s3:::bucket/key",
                "context": ctx,
            }
            rule = f"{t['rule']} | {op} {key}={pvals!r} vs request {rval!r} -> {truth}"
            base = {"rule": rule, "page": page, "file": path.name, "request": request}
            out.append(
                dict(
                    base,
                    name=f"{path.stem}: t{ti} {op} #{i} allow",
                    identity_policies=[
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": cond}
                            ],
                        }
                    ],
                    expected={"decision": "allowed" if truth else "implicitDeny"},
                )
            )
            out.append(
                dict(
                    base,
                    name=f"{path.stem}: t{ti} {op} #{i} deny",
                    identity_policies=[
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                                {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": cond},
                            ],
                        }
                    ],
                    expected={"decision": "explicitDeny" if truth else "allowed"},
                )
            )
    return out


def load_cases() -> list[dict]:
    cases: list[dict] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if "tables" in data:
            cases.extend(_operator_cases(path, data))
            continue
        defaults = data.get("defaults", {})
        for c in data["cases"]:
            case = _merge(defaults, c)
            case.setdefault("page", data["page"])
            case["file"] = path.name
            exp = case["expected"]
            if isinstance(exp, str):
                case["expected"] = {"decision": exp}
            cases.append(case)
    return cases
