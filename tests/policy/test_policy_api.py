"""Library API: parse (type detection, pointers), validate, validate_document, renderers."""

from __future__ import annotations

import json

import pytest

from permwise.errors import InputError
from permwise.policy import POLICY_RULES, parse, validate, validate_document
from permwise.report import render_json, render_text, to_sarif
from permwise.sources import parse_text

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
IDENTITY = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}


@pytest.mark.parametrize("doc,expected", [(TRUST, "trust"), (BUCKET, "resource"), (IDENTITY, "identity")])
def test_type_detection(doc, expected):
    # documented rule: Principal + only sts role actions -> trust; Principal -> resource; else identity
    d = parse(doc)
    assert d.type == expected and d.type_detected


def test_statement_object_and_pointers():
    d = parse(IDENTITY, "identity")
    assert len(d.statements) == 1 and d.statements[0].pointer == "/Statement"
    assert d.statements[0].actions[0].pointer == "/Statement/Action"


def test_unknown_type_is_input_error():
    with pytest.raises(InputError, match="unknown policy type"):
        parse(IDENTITY, "bucket")


def test_validate_source_locates_yaml():
    src = parse_text("Version: 2012-10-17\nStatement:\n  - Effect: Allow\n    Action: [s3:GetObject, s3:GetObject]\n"
                     "    Resource: '*'\n", "p.yaml")
    fs = validate(src)
    dup = [f for f in fs if f.code == "P307"]
    assert dup and (dup[0].file, dup[0].line) == ("p.yaml", 4)


def test_validate_document_for_generated_policies():
    fs = validate_document({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutEncryption", "Resource": "arn:aws:s3:::b"}]}, "identity", name="gen:x")
    assert [(f.code, f.file, f.line, f.pointer) for f in fs] == [("P302", "gen:x", None, "/Statement/0/Action")]


def test_locations_only_computed_with_findings():
    src = parse_text(json.dumps(IDENTITY), "clean.json")
    assert validate(src) == [] and src._positions is None  # no scan of the text for clean documents


def test_renderers_are_deterministic():
    fs = validate_document({"Statement": [{"Effect": "Allow", "Action": ["b:x", "a:y"], "Resource": "*"}]}, "identity")
    assert render_text(fs) == render_text(list(reversed(fs)))
    assert render_json(fs) == render_json(list(reversed(fs)))
    assert to_sarif(fs, POLICY_RULES) == to_sarif(list(reversed(fs)), POLICY_RULES)
    log = json.loads(to_sarif(fs, POLICY_RULES))
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == ["P003", "P301", "P601"]


@pytest.mark.parametrize("fused", ["s3:GetObjects3:PutObject", "s3:GetObject,s3:PutObject",
                                   "s3:GetObject, s3:PutObject", "s3:GetObject;s3:PutObject"])
def test_fused_actions_fix_names_clean_actions(fused):
    # IAM JSON policy elements: Action - each action is its own string; the fix must name real actions
    fs = validate_document({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": fused, "Resource": "*"}]}, "identity")
    got = [f for f in fs if f.code == "P304"]
    assert len(got) == 1 and got[0].fix == "split it into `s3:GetObject`, `s3:PutObject`"


def test_resource_fit_fix_names_a_real_command():
    fs = validate_document({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}]}, "identity")
    fix = next(f.fix for f in fs if f.code == "P401")
    assert "permwise actions --explain" in fix


@pytest.mark.parametrize("key", ["token.actions.githubusercontent.com:sub", "accounts.google.com:aud",
                                 "oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub", "saml:aud",
                                 "cognito-identity.amazonaws.com:amr"])
def test_federation_claim_keys_in_trust_policies_are_not_unknown(key):
    # IAM User Guide, "Available keys for AWS OIDC federation" and "... for SAML-based federation":
    # a role trust policy conditions on the identity provider's claims, named by the provider
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/example.com"},
        "Action": ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"],
        "Condition": {"StringLike": {key: "x"}}}]}
    assert not [f for f in validate_document(doc, "trust") if f.code in ("P501", "P502")]


def test_unknown_service_key_is_still_reported():
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": {"s3:NoSuchKey": "x"}}}]}
    assert [f.code for f in validate_document(doc, "identity") if f.code == "P501"] == ["P501"]
