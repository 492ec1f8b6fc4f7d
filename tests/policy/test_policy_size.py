"""Size limits per policy type (P002), counted the way AWS counts them.

AWS rules encoded here (our words):
- *IAM and AWS STS quotas*: IAM does not count white space toward the policy size limits; managed
  policies 6,144 characters, inline policies in total per user 2,048, per group 5,120, per role
  10,240; role trust policies 2,048 by default (`AssumeRolePolicySizeQuota`, raisable to 8,192);
  session policies 2,048.
- *Quotas for AWS Organizations* (maximum size of a policy document) and the re:Post article
  *How do I manage the SCP character size limit*: SCPs and RCPs are at most 5,120 characters and
  every character of the stored text counts, spaces and line breaks included; only the console
  strips white space outside quotes before saving, the CLI and SDKs store the text as given.
"""

from __future__ import annotations

import json

import orjson
import pytest
import yaml

from permwise.policy import parse, validate, validate_document
from permwise.sources import parse_text


_ACTIONS = [f"s3:{a}" for a in ("GetObject", "PutObject", "DeleteObject", "GetBucketPolicy", "PutBucketPolicy",
                                 "GetObjectTagging", "PutObjectTagging", "GetObjectAcl", "PutObjectAcl",
                                 "ListBucket", "GetBucketTagging", "PutBucketTagging")]


def sized(n: int, *, effect: str = "Deny", trust: bool = False) -> dict:
    """A valid policy whose minified JSON is exactly ``n`` characters."""
    def doc(pad: int) -> dict:
        st = {"Effect": effect, "Action": list(_ACTIONS), "Resource": "*",
              "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "a" * pad}}}
        if trust:
            del st["Resource"]
            st.update(Action="sts:AssumeRole", Principal={"Service": "ec2.amazonaws.com"})
        return {"Version": "2012-10-17", "Statement": [st]}
    base = len(orjson.dumps(doc(0)))
    assert n >= base
    out = doc(n - base)
    assert len(orjson.dumps(out)) == n
    return out


def p002(findings):
    return [f for f in findings if f.code == "P002"]


@pytest.mark.parametrize("type_,attached,limit", [
    ("identity", None, 6144), ("identity", "managed", 6144), ("identity", "user", 2048),
    ("identity", "group", 5120), ("identity", "role", 10240), ("boundary", None, 6144),
    ("session", None, 2048), ("scp", None, 5120), ("rcp", None, 5120),
])
def test_limit_is_exact(type_, attached, limit):
    effect = "Allow" if type_ in ("identity", "boundary", "session") else "Deny"
    at = validate_document(sized(limit, effect=effect), type_, attached_as=attached)
    over = validate_document(sized(limit + 1, effect=effect), type_, attached_as=attached)
    if type_ == "rcp":  # an RCP statement also needs Principal "*"; irrelevant to size
        at = [f for f in at if f.code != "P109"]
    assert not p002(at)
    got = p002(over)
    assert len(got) == 1 and got[0].severity == "error" and f"{limit:,}" in got[0].message


def test_trust_policy_default_quota_is_a_warning_up_to_the_raisable_maximum():
    def trust(n):
        return sized(n, effect="Allow", trust=True)
    assert not p002(validate_document(trust(2048), "trust"))
    warn = p002(validate_document(trust(2049), "trust"))
    assert [f.severity for f in warn] == ["warning"] and "AssumeRolePolicySizeQuota" in warn[0].fix
    assert [f.severity for f in p002(validate_document(trust(8193), "trust"))] == ["error"]


def _pretty(doc: dict) -> str:
    return json.dumps(doc, indent=40)


def test_scp_file_counts_white_space_identity_file_does_not(tmp_path):
    doc = sized(5000)  # fits minified, for both types
    text = _pretty(doc)
    assert len(text) > 6144  # indented, it is over both limits as written
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    scp = p002(validate(str(path), "scp"))
    assert len(scp) == 1 and f"{len(text):,}" in scp[0].message
    assert "white space" in scp[0].fix and "5,000" in scp[0].fix  # minifying makes it fit
    ident = {**doc, "Statement": [{**doc["Statement"][0], "Effect": "Allow"}]}
    path.write_text(_pretty(ident), encoding="utf-8")
    assert not p002(validate(str(path), "identity"))


def test_scp_over_the_limit_even_minified_says_split(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(_pretty(sized(5200)), encoding="utf-8")
    got = p002(validate(str(path), "scp"))
    assert len(got) == 1 and "split" in got[0].fix


def test_scp_in_yaml_is_measured_as_the_json_aws_receives():
    # a YAML file is converted before it reaches AWS: its YAML text length means nothing
    doc = sized(5100)
    text = yaml.safe_dump(doc, default_flow_style=False, indent=8, width=20)
    assert len(text) > 5120
    assert not p002(validate(parse_text(text, "scp.yaml"), "scp"))
    assert p002(validate(parse_text(yaml.safe_dump(sized(5121)), "scp.yaml"), "scp"))


def test_rcp_counts_white_space_too(tmp_path):
    d = sized(5000)
    d["Statement"][0]["Principal"] = "*"
    path = tmp_path / "rcp.json"
    path.write_text(_pretty(d), encoding="utf-8")
    assert p002(validate(parse(str(path), "rcp")))
