"""Validation throughput on 1,000 generated, realistic policies.

    python bench/bench_validate.py [--count 1000] [--seed 7]

Mixed types (identity, resource, trust, SCP, RCP, boundary, session), wildcards, conditions and
ARNs built from the catalog's ARN templates, plus a few typos. Prints policies/s for:
- cold: first pass in a fresh process (catalog services load on demand),
- warm: the same policies again (catalog loaded, caches filled),
- text: JSON text -> Source -> validate (what `permwise validate` does per file, locations on demand).
"""

from __future__ import annotations

import argparse
import random
import time

import orjson

from permwise.catalog import get_catalog
from permwise.policy import validate, validate_document
from permwise.sources import parse_text

SERVICES = ["s3", "ec2", "iam", "kms", "sqs", "lambda", "dynamodb", "logs", "sns", "rds", "secretsmanager",
            "cloudformation", "ssm", "ecr", "sts", "cloudtrail", "config", "guardduty", "organizations", "ce"]
TYPOS = ["computeoptimizer:Get*", "s3:PutEncryption", "ec2:InstanceSecurityGroup", " s3:GetObject",
         "s3:GetObjects3:PutObject", "aws:SourceIp"]
CONDITIONS = [
    {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}},
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}},
]


def _pools(rng: random.Random):
    cat = get_catalog()
    pools = {}
    for prefix in SERVICES:
        svc = cat.service(prefix)
        acts = sorted(svc.actions.values(), key=lambda a: a.name)
        arns = sorted({rt.template({"Partition": "aws", "Region": "eu-west-1", "Account": "111122223333"})
                       for rt in svc.resource_types.values() if rt.arn})
        pools[prefix] = (acts, arns)
    return pools


def _statement(rng: random.Random, pools, *, principal=None, effect="Allow") -> dict:
    prefix = rng.choice(SERVICES)
    acts, arns = pools[prefix]
    actions = [a.key for a in rng.sample(acts, min(len(acts), rng.randint(1, 12)))]
    if rng.random() < 0.4:
        actions.append(f"{prefix}:{rng.choice(['Get', 'List', 'Describe', 'Put'])}*")
    if rng.random() < 0.05:
        actions.append(rng.choice(TYPOS))
    st: dict = {"Effect": effect, "Action": actions if len(actions) > 1 else actions[0]}
    if principal is not None:
        st["Principal"] = principal
    st["Resource"] = "*" if rng.random() < 0.4 or not arns else rng.sample(arns, min(len(arns), rng.randint(1, 3)))
    if rng.random() < 0.35:
        st["Condition"] = rng.choice(CONDITIONS)
    if rng.random() < 0.5:
        st["Sid"] = f"S{rng.randint(0, 10**6)}"
    return st


def generate(count: int, seed: int) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    pools = _pools(rng)
    kinds = ["identity"] * 10 + ["resource"] * 3 + ["trust"] * 2 + ["scp"] * 2 + ["rcp", "boundary", "session"]
    out = []
    for _ in range(count):
        kind = rng.choice(kinds)
        n = rng.randint(1, 4)
        if kind == "trust":
            stmts = [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                      "Action": ["sts:AssumeRole", "sts:TagSession"],
                      "Condition": {"StringEquals": {"sts:ExternalId": f"ext-{rng.randint(0, 9999)}"}}}]
        elif kind == "rcp":
            stmts = [{"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
                      "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123def4"}}}]
        elif kind == "resource":
            stmts = [_statement(rng, pools, principal={"AWS": f"arn:aws:iam::{rng.randint(10**11, 10**12 - 1)}:root"})
                     for _ in range(n)]
        elif kind == "scp":
            stmts = [_statement(rng, pools, effect="Deny") for _ in range(n)]
        else:
            stmts = [_statement(rng, pools) for _ in range(n)]
        for i, s in enumerate(stmts):  # keep Sids unique
            if "Sid" in s:
                s["Sid"] = f"S{i}x{s['Sid'][1:]}"
        out.append((kind, {"Version": "2012-10-17", "Statement": stmts}))
    return out


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} policies/s ({seconds * 1000 / n:.2f} ms each)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    t0 = time.perf_counter()
    docs = generate(args.count, args.seed)
    gen = time.perf_counter() - t0
    texts = [(k, orjson.dumps(d, option=orjson.OPT_INDENT_2).decode()) for k, d in docs]

    t0 = time.perf_counter()
    findings = sum(len(validate_document(d, k)) for k, d in docs)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    sum(len(validate_document(d, k)) for k, d in docs)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i, (k, text) in enumerate(texts):
        validate(parse_text(text, f"p{i}.json"), k)
    text_t = time.perf_counter() - t0
    kinds = {}
    for k, _ in docs:
        kinds[k] = kinds.get(k, 0) + 1
    print(f"generated {len(docs):,} policies in {gen:.2f}s: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"findings: {findings:,}")
    print(f"cold  validate_document: {_rate(len(docs), cold)}")
    print(f"warm  validate_document: {_rate(len(docs), warm)}")
    print(f"text  parse + validate:  {_rate(len(docs), text_t)}")


if __name__ == "__main__":
    main()
