"""who-can-assume over the planted organization (AWS IAM User Guide, "How IAM roles differ from
resource-based policies": a same-account trust naming a principal ARN is enough; naming the
account delegates to the caller's identity policies)."""

from __future__ import annotations

from audit_planted import DEV, arn
from permwise.audit.escalation import escalation_actions
from permwise.audit.graph import AssumeGraph
from permwise.audit.probe import Prober


def _who(env, name):
    g = AssumeGraph(env, Prober(env, escalation_actions()))
    return {(a.principal, a.via): a for a in g.who_can_assume(env.principal(arn(DEV, name)))}


def test_direct_and_multi_hop(planted_env):
    who = _who(planted_env, "HopB")
    assert (arn(DEV, "HopA"), "principal") in who
    hop = who[(arn(DEV, "HopC"), "multi-hop")]
    assert hop.path == (arn(DEV, "HopA"),)


def test_service_federated_external(planted_env):
    assert ("lambda.amazonaws.com", "service") in _who(planted_env, "LambdaAdmin")
    gh = f"arn:aws:iam::{DEV}:oidc-provider/token.actions.githubusercontent.com"
    assert (gh, "federated") in _who(planted_env, "GithubOk")
    assert ("999999999999", "external") in _who(planted_env, "VendorNoExt")


def test_public_trust_lists_star(planted_env):
    assert ("*", "public") in _who(planted_env, "PublicRole")


def test_trust_alone_is_not_enough_without_a_named_principal(planted_env):
    # Reader is trusted by nobody that exists: no entry may claim it can be assumed
    who = _who(planted_env, "Reader")
    assert all(v.via == "external" for v in who.values())


def test_entries_the_engine_cannot_decide_show_their_conditions(planted_env):
    """AWS IAM User Guide, "IAM JSON policy elements: Condition": for a federated, service or
    outside-account entry, the trust statement's conditions are all that limits who gets in."""
    gh = f"arn:aws:iam::{DEV}:oidc-provider/token.actions.githubusercontent.com"
    notes = _who(planted_env, "GithubWild")[(gh, "federated")].notes
    assert "if StringLike token.actions.githubusercontent.com:sub = repo:acme/*" in notes
    assert "no condition" in _who(planted_env, "VendorNoExt")[("999999999999", "external")].notes
    ext = _who(planted_env, "VendorWithExt")[("999999999999", "external")].notes
    assert "if StringEquals sts:ExternalId = k3y-2024" in ext
