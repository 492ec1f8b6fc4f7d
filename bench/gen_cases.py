#!/usr/bin/env python3
"""Generate ``simulate --jsonl`` cases that each carry their own, fresh policies.

    python bench/gen_cases.py cases.jsonl --cases 5000 [--seed 3]

This is the shape a differential test or a CI gate produces: every case has its own identity
policies (2-4, with exact actions from the catalog, wildcards, ARN-scoped resources, tag and IP
conditions, policy variables), often a permissions boundary, a session policy now and then,
three SCP levels with a region guard, sometimes an RCP level and a resource-based policy.
Names, ARNs, Sids and values are unique per case, so no two documents are the same text (a
cache keyed by the whole document never hits); only the action vocabulary repeats, as in life.
"""

from __future__ import annotations

import argparse
import fnmatch
import random
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

_VERBS = ("Get*", "List*", "Describe*", "Put*", "Create*", "Delete*", "*")
_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")
_SERVICES = ("s3", "ec2", "iam", "lambda", "dynamodb", "sqs", "sns", "kms", "logs", "cloudwatch", "rds", "ssm",
             "secretsmanager", "sts", "ecr", "ecs", "cloudformation", "glue", "athena", "states")


def _names() -> dict[str, list[str]]:
    from permwise.catalog import get_catalog

    cat = get_catalog()
    return {s: sorted(a.name for a in cat.service(s).actions.values()) for s in _SERVICES}  # type: ignore[union-attr]


def _resource_for(action: str, acct: str, region: str, name: str) -> str:
    from permwise.catalog import get_catalog

    cat = get_catalog()
    a = cat.action(action)
    if a is None or not a.resources:
        return "*"
    rts = [rt for ar, rt in cat.action_resource_types(a) if rt is not None]
    if not rts:
        return "*"
    return rts[0].template({"Partition": "aws", "Region": region, "Account": acct}, default=name)


def _arn(rng: random.Random, svc: str, acct: str, uniq: str, wild: bool) -> str:
    region = rng.choice(_REGIONS)
    tail = f"{uniq}-{rng.randrange(10**6)}" + ("*" if wild else "")
    if svc == "s3":
        return f"arn:aws:s3:::{tail}" + rng.choice(["", "/*", "/data/*"])
    if svc in ("iam", "sts"):
        return f"arn:aws:iam::{acct}:role/{tail}"
    if svc == "dynamodb":
        return f"arn:aws:dynamodb:{region}:{acct}:table/{tail}"
    if svc == "lambda":
        return f"arn:aws:lambda:{region}:{acct}:function:{tail}"
    return f"arn:aws:{svc}:{region}:{acct}:{rng.choice(['thing', 'resource', 'key', 'queue'])}/{tail}"


def _statement(rng: random.Random, names: dict[str, list[str]], acct: str, uniq: str, i: int, effect: str = "Allow") -> dict:
    svc = rng.choice(_SERVICES)
    r = rng.random()
    if r < 0.5:
        acts = [f"{svc}:{a}" for a in rng.sample(names[svc], min(len(names[svc]), rng.randint(1, 8)))]
    elif r < 0.9:
        acts = [f"{svc}:{v}" for v in rng.sample(_VERBS[:-1], rng.randint(1, 3))]
    else:
        acts = [f"{svc}:*"]
    st: dict = {"Sid": f"{uniq}S{i}", "Effect": effect, "Action": acts if len(acts) > 1 else acts[0]}
    r = rng.random()
    if r < 0.4:
        st["Resource"] = "*"
    elif r < 0.85:
        st["Resource"] = [_arn(rng, svc, acct, uniq, rng.random() < 0.6) for _ in range(rng.randint(1, 3))]
    else:
        st["Resource"] = f"arn:aws:{svc}:*:{acct}:*/${{aws:PrincipalTag/team}}-{uniq}-*"
    r = rng.random()
    if r < 0.15:
        st["Condition"] = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    elif r < 0.25:
        st["Condition"] = {"IpAddress": {"aws:SourceIp": [f"10.{rng.randrange(256)}.0.0/16"]}}
    elif r < 0.32:
        st["Condition"] = {"StringLike": {"s3:prefix": [f"home/{uniq}/*"]}, "Bool": {"aws:SecureTransport": "true"}}
    elif r < 0.36:
        st["Condition"] = {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", uniq]}}
    return st


def _doc(rng, names, acct, uniq, n, deny=0.1) -> dict:
    sts = [_statement(rng, names, acct, uniq, i) for i in range(n)]
    if rng.random() < deny:
        sts.append(_statement(rng, names, acct, uniq, n, "Deny"))
    return {"Version": "2012-10-17", "Statement": sts}


def make_case(rng: random.Random, names: dict[str, list[str]], n: int) -> dict:
    acct = f"{rng.randrange(10**11, 10**12):012d}"
    uniq = f"c{n}x{rng.randrange(10**6):06d}"
    svc = rng.choice(_SERVICES)
    action = f"{svc}:{rng.choice(names[svc])}"
    kind = rng.random()
    principal = (f"arn:aws:iam::{acct}:role/app-{uniq}" if kind < 0.6 else
                 f"arn:aws:sts::{acct}:assumed-role/app-{uniq}/session-{n}" if kind < 0.85 else
                 f"arn:aws:iam::{acct}:user/u-{uniq}")
    case: dict = {
        "id": f"case-{n:07d}",
        "request": {
            "principal": principal, "action": action, "resource": _arn(rng, svc, acct, uniq, False),
            "context": {"aws:RequestedRegion": rng.choice(_REGIONS), "aws:SourceIp": f"10.{rng.randrange(256)}.1.2",
                        "aws:SecureTransport": rng.random() < 0.9, "aws:PrincipalTag/team": f"team-{rng.randrange(9)}"},
        },
        "identity_policies": [_doc(rng, names, acct, uniq, rng.randint(2, 6)) for _ in range(rng.randint(2, 4))],
        "scps": [
            [{"Version": "2012-10-17", "Statement": [{"Sid": f"{uniq}Full", "Effect": "Allow", "Action": "*", "Resource": "*"}]}],
            [{"Version": "2012-10-17", "Statement": [{"Sid": f"{uniq}Ou", "Effect": "Allow", "Action": "*", "Resource": "*"}, {
                "Sid": f"{uniq}Region", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"],
                "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(rng.sample(_REGIONS, 3))}}}]}],
            [{"Version": "2012-10-17", "Statement": [{"Sid": f"{uniq}Acct", "Effect": "Allow", "Action": "*", "Resource": "*"}]},
             {"Version": "2012-10-17", "Statement": [_statement(rng, names, acct, uniq, 9, "Deny")]}],
        ],
    }
    if rng.random() < 0.7:  # most requests ask for something a statement grants, as in life
        st = rng.choice([s for d in case["identity_policies"] for s in d["Statement"] if s["Effect"] == "Allow"])
        acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        pat = rng.choice(acts)
        svc, _, name = pat.partition(":")
        fits = [a for a in names[svc] if fnmatch.fnmatchcase(a.lower(), name.lower())]
        if fits:
            case["request"]["action"] = f"{svc}:{rng.choice(fits)}"
        res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        r = rng.choice(res)
        if r != "*" and "${" not in r:
            case["request"]["resource"] = r.replace("*", f"obj{rng.randrange(100)}")
    # the resource is an ARN of one of the action's resource types (`*` for an action without
    # one), as a real request would carry; often the granting statement is scoped to it
    real = _resource_for(case["request"]["action"], acct, rng.choice(_REGIONS), f"{uniq}-r{rng.randrange(100)}")
    case["request"]["resource"] = real
    if real != "*" and rng.random() < 0.5:
        sts_ = [s for d in case["identity_policies"] for s in d["Statement"]]
        st_ = rng.choice(sts_)
        st_["Resource"] = [real.rsplit("-r", 1)[0] + "-r*", *([st_["Resource"]] if isinstance(st_["Resource"], str) else st_["Resource"])][:3]
    if rng.random() < 0.4:
        case["permission_boundary"] = {"Version": "2012-10-17", "Statement": [
            {"Sid": f"{uniq}B", "Effect": "Allow", "Action": [f"{s}:*" for s in rng.sample(_SERVICES, 8)], "Resource": "*"},
            {"Sid": f"{uniq}BD", "Effect": "Deny", "Action": ["iam:*User*", "iam:*AccessKey*"], "Resource": "*"}]}
    if rng.random() < 0.1:
        case["session_policy"] = _doc(rng, names, acct, uniq, 2, deny=0)
    if rng.random() < 0.2:
        case["rcps"] = [[{"Version": "2012-10-17", "Statement": [{
            "Sid": f"{uniq}Tls", "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]}]]
    if rng.random() < 0.25:
        other = f"{rng.randrange(10**11, 10**12):012d}"
        case["resource_policy"] = {"Version": "2012-10-17", "Statement": [{
            "Sid": f"{uniq}R", "Effect": "Allow",
            "Principal": {"AWS": rng.choice([f"arn:aws:iam::{acct}:root", principal, f"arn:aws:iam::{other}:root"])},
            "Action": action if rng.random() < 0.5 else f"{svc}:*", "Resource": case["request"]["resource"]}]}
        case["request"]["resource_account"] = rng.choice([acct, other])
    return case


def write_cases(path: str | Path, n: int, seed: int = 3) -> int:
    """Write ``n`` cases to ``path``; returns the number of bytes."""
    rng = random.Random(seed)
    names = _names()
    size = 0
    with open(path, "wb") as fh:
        for i in range(n):
            line = orjson.dumps(make_case(rng, names, i)) + b"\n"
            size += len(line)
            fh.write(line)
    return size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args(argv)
    size = write_cases(a.out, a.cases, a.seed)
    print(f"wrote {a.cases} cases ({size / 1e6:.1f} MB) to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
