"""Write ``cases.jsonl``: independent conformance cases for the evaluation engine, from AWS's docs.

Run ``python tests/engine_xcheck/make_cases.py`` to regenerate the data file. Every case carries
``rule`` (AWS documentation page title: the rule in our own words) and ``expected`` (the decision
AWS documents). ``xfail_reason`` marks a case where the engine disagrees with the documented rule
(see docs/internal/engine-xcheck.md); ``ambiguous`` marks a case where the documentation does not
settle the answer (recorded, never asserted).

The cases were written from the documentation alone, not from the engine's code or tests.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("cases.jsonl")

A = "111122223333"          # caller's account (member account)
B = "444455556666"          # another account
MGMT = "999999999999"       # organization management account
USER = f"arn:aws:iam::{A}:user/alice"
BOB = f"arn:aws:iam::{A}:user/bob"
ROLE = f"arn:aws:iam::{A}:role/app"
SESS = f"arn:aws:sts::{A}:assumed-role/app/s1"
SESS2 = f"arn:aws:sts::{A}:assumed-role/app/s2"
ROOT = f"arn:aws:iam::{A}:root"
EXT_USER = f"arn:aws:iam::{B}:user/carol"
EXT_ROLE = f"arn:aws:iam::{B}:role/partner"
EXT_SESS = f"arn:aws:sts::{B}:assumed-role/partner/p1"
SLR = f"arn:aws:iam::{A}:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMRCleanup"
SLR_SESS = f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForEMRCleanup/emr"
OBJ = "arn:aws:s3:::bucket/key.txt"
BUCKET = "arn:aws:s3:::bucket"
QUEUE = f"arn:aws:sqs:us-east-1:{A}:queue1"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXT_KEY = f"arn:aws:kms:us-east-1:{B}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_RES = f"arn:aws:iam::{A}:role/target"
EXT_ROLE_RES = f"arn:aws:iam::{B}:role/target"

# documentation page titles (IAM User Guide unless noted)
P_EVAL = "Policy evaluation logic"
P_ACCT = "Determining whether a request is allowed or denied within an account"
P_XACCT = "Cross-account policy evaluation logic"
P_OPS = "IAM JSON policy elements: Condition operators"
P_COND = "IAM JSON policy elements: Condition"
P_MULTI = "Single-valued vs. multivalued context keys (Set operators for multivalued context keys)"
P_VARS = "IAM policy elements: Variables and tags"
P_SCP = "AWS Organizations: Service control policies (SCPs) / SCP evaluation"
P_RCP = "AWS Organizations: Resource control policies (RCPs) / RCP evaluation"
P_BOUND = "Permissions boundaries for IAM entities"
P_SESS = "Session policies (Policies and permissions in IAM)"
P_NOTP = "AWS JSON policy elements: NotPrincipal"
P_PRIN = "AWS JSON policy elements: Principal"
P_ACTION = "IAM JSON policy elements: Action"
P_NOTACTION = "IAM JSON policy elements: NotAction"
P_RES = "IAM JSON policy elements: Resource"
P_NOTRES = "IAM JSON policy elements: NotResource"
P_VERSION = "IAM JSON policy elements: Version"
P_KEYS = "AWS global condition context keys"
P_KMS = "AWS KMS Developer Guide: Key policies in AWS KMS"
P_TRUST = "IAM roles: How IAM roles differ from resource-based policies / role trust policies"

CASES: list[dict] = []


def pol(*stmts, version: str | None = "2012-10-17") -> dict:
    d: dict = {"Statement": list(stmts)}
    if version is not None:
        d = {"Version": version, **d}
    return d


def st(effect: str, action="*", resource="*", cond=None, **extra) -> dict:
    s: dict = {"Effect": effect}
    if "NotAction" not in extra:
        s["Action"] = action
    if "NotResource" not in extra:
        s["Resource"] = resource
    s.update(extra)
    if cond:
        s["Condition"] = cond
    return s


def allow(action="*", resource="*", cond=None, **extra) -> dict:
    return st("Allow", action, resource, cond, **extra)


def deny(action="*", resource="*", cond=None, **extra) -> dict:
    return st("Deny", action, resource, cond, **extra)


FULL = pol(allow())


def case(cid: str, page: str, rule: str, expected: str, *, principal=USER, action="s3:GetObject",
         resource=OBJ, resource_account=None, context=None, identity=(), boundary=None, session=None,
         scps=None, rcps=None, resource_policy=None, ambiguous: str | None = None, **extra) -> None:
    assert expected in ("allowed", "explicitDeny", "implicitDeny"), expected
    assert all(c["id"] != cid for c in CASES), cid
    req: dict = {"principal": principal, "action": action, "resource": resource}
    if resource_account is not None:
        req["resource_account"] = resource_account
    req["context"] = context or {}
    c = {
        "id": cid,
        "rule": f"{page}: {rule}",
        "expected": expected,
        "request": req,
        "identity_policies": list(identity),
        "permission_boundary": boundary,
        "session_policy": session,
        "scps": scps if scps is not None else [],
        "rcps": rcps if rcps is not None else [],
        "resource_policy": resource_policy,
    }
    if ambiguous:
        c["ambiguous"] = ambiguous
    c.update(extra)
    CASES.append(c)


def cond_case(cid, page, rule, expected, cond, context, *, action="s3:GetObject", resource=OBJ,
              principal=USER, effect="Allow", **kw):
    """One identity policy whose single statement carries ``cond``; with a Deny, an Allow-all too."""
    if effect == "Allow":
        ident = [pol(allow(cond=cond))]
    else:
        ident = [pol(allow(), deny(cond=cond))]
    case(cid, page, rule, expected, principal=principal, action=action, resource=resource,
         context=context, identity=ident, **kw)


# ---------------------------------------------------------------------------------------------
# A. Core evaluation and explicit-deny precedence
# ---------------------------------------------------------------------------------------------
case("core-identity-allow", P_EVAL, "an Allow in an identity-based policy for the action and resource allows the request", "allowed",
     identity=[pol(allow("s3:GetObject", OBJ))])
case("core-default-deny", P_EVAL, "with no policy that allows, every request is implicitly denied", "implicitDeny")
case("core-deny-same-policy", P_EVAL, "an explicit Deny overrides an Allow in the same policy", "explicitDeny",
     identity=[pol(allow("s3:*"), deny("s3:GetObject", OBJ))])
case("core-deny-other-identity-policy", P_EVAL, "an explicit Deny in any identity-based policy overrides an Allow in another", "explicitDeny",
     identity=[pol(allow("s3:*")), pol(deny("s3:Get*"))])
case("core-deny-in-boundary", P_BOUND, "an explicit Deny in the permissions boundary denies even though identity and boundary also allow", "explicitDeny",
     identity=[FULL], boundary=pol(allow(), deny("s3:GetObject")))
case("core-deny-in-session", P_SESS, "an explicit Deny in a session policy denies the request", "explicitDeny",
     principal=SESS, identity=[FULL], session=pol(allow(), deny("s3:*")))
case("core-deny-in-scp-ou", P_SCP, "an explicit Deny in an SCP at any level (here an OU) denies, whatever else allows", "explicitDeny",
     identity=[FULL], scps=[[FULL], [FULL, pol(deny("s3:GetObject"))], [FULL]])
case("core-deny-in-rcp", P_RCP, "an explicit Deny in an RCP denies access to a supported-service resource", "explicitDeny",
     identity=[FULL], rcps=[[pol({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})]])
case("core-deny-in-resource-policy", P_EVAL, "an explicit Deny in the resource-based policy overrides an identity Allow", "explicitDeny",
     identity=[FULL], resource_policy=pol({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJ}))
case("core-identity-deny-beats-resource-allow", P_EVAL, "an identity-policy Deny overrides a same-account resource-policy Allow to the user", "explicitDeny",
     identity=[pol(deny("s3:GetObject"))],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:GetObject", "Resource": OBJ}))
case("core-scp-deny-beats-resource-allow", P_SCP, "SCPs restrict principals even when a same-account resource policy grants", "explicitDeny",
     scps=[[FULL, pol(deny("s3:*"))]],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:GetObject", "Resource": OBJ}))
case("core-deny-condition-false", P_COND, "a Deny whose condition does not match does not apply", "allowed",
     identity=[pol(allow(), deny(cond={"StringEquals": {"aws:PrincipalTag/team": "red"}}))], principal_tags={"team": "blue"})
case("core-deny-other-resource", P_EVAL, "a Deny on a different resource does not apply", "allowed",
     identity=[pol(allow(), deny("s3:*", "arn:aws:s3:::other/*"))])
case("core-statement-object", "IAM JSON policy elements: Statement", "Statement may be a single object instead of an array", "allowed",
     identity=[{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJ}}])
case("core-action-list", P_ACTION, "Action may be a list; any entry matching suffices", "allowed",
     identity=[pol(allow(["ec2:RunInstances", "s3:GetObject"], [BUCKET, OBJ]))])
case("core-notaction-allow-other", P_NOTACTION, "Allow with NotAction allows every action not listed", "allowed",
     identity=[pol(allow(NotAction="iam:*"))])
case("core-notaction-allow-listed", P_NOTACTION, "Allow with NotAction does not allow the listed actions", "implicitDeny",
     action="iam:CreateUser", resource=f"arn:aws:iam::{A}:user/x", identity=[pol(allow(NotAction="iam:*"))])
case("core-notaction-deny-listed-exempt", P_NOTACTION, "Deny with NotAction denies everything except the listed actions (listed action stays allowed)", "allowed",
     identity=[FULL, pol(deny(NotAction=["s3:*", "iam:*"]))])
case("core-notaction-deny-other", P_NOTACTION, "Deny with NotAction denies actions not in the list", "explicitDeny",
     action="ec2:RunInstances", resource="*", identity=[FULL, pol(deny(NotAction=["s3:*", "iam:*"]))])
case("core-notresource-allow-outside", P_NOTRES, "Allow with NotResource allows resources not listed", "allowed",
     resource="arn:aws:s3:::public/x", identity=[pol(allow("s3:*", NotResource="arn:aws:s3:::secret/*"))])
case("core-notresource-allow-listed", P_NOTRES, "Allow with NotResource does not allow the listed resources", "implicitDeny",
     resource="arn:aws:s3:::secret/x", identity=[pol(allow("s3:*", NotResource="arn:aws:s3:::secret/*"))])
case("core-notresource-deny", P_NOTRES, "Deny with NotResource denies every resource except those listed", "explicitDeny",
     resource="arn:aws:s3:::bucket-b/x", identity=[FULL, pol(deny("s3:*", NotResource="arn:aws:s3:::bucket-a/*"))])
case("core-notresource-deny-exempt", P_NOTRES, "Deny with NotResource leaves the listed resources alone", "allowed",
     resource="arn:aws:s3:::bucket-a/x", identity=[FULL, pol(deny("s3:*", NotResource="arn:aws:s3:::bucket-a/*"))])
case("core-root-user-full-access", P_EVAL, "requests are implicitly denied except for the account root user, which has full access", "allowed",
     principal=ROOT, action="ec2:TerminateInstances", resource="*")

# ---------------------------------------------------------------------------------------------
# B. Action matching
# ---------------------------------------------------------------------------------------------
case("act-case-insensitive-policy", P_ACTION, "action names are case-insensitive (policy `S3:getobject`)", "allowed",
     identity=[pol(allow("S3:getobject"))])
case("act-case-insensitive-request", P_ACTION, "action names are case-insensitive (request `s3:getobject`)", "allowed",
     action="s3:getobject", identity=[pol(allow("s3:GetObject"))])
case("act-prefix-wildcard", P_ACTION, "`s3:Get*` matches every action starting with Get", "allowed",
     action="s3:GetObjectAcl", identity=[pol(allow("s3:Get*"))])
case("act-prefix-wildcard-miss", P_ACTION, "`s3:Get*` does not match s3:PutObject", "implicitDeny",
     action="s3:PutObject", identity=[pol(allow("s3:Get*"))])
case("act-infix-wildcard", P_ACTION, "a wildcard may sit anywhere in the action name (`s3:*Object`)", "allowed",
     action="s3:DeleteObject", identity=[pol(allow("s3:*Object"))])
case("act-question-mark", P_ACTION, "`?` matches exactly one character", "allowed",
     identity=[pol(allow("s3:Get?bject"))])
case("act-question-mark-miss", P_ACTION, "`?` matches exactly one character, not a longer tail", "implicitDeny",
     action="s3:GetObjectAcl", identity=[pol(allow("s3:Get?bject"))])
case("act-no-implicit-prefix", P_ACTION, "an exact action name does not match longer names", "implicitDeny",
     action="s3:GetObjectAcl", identity=[pol(allow("s3:GetObject"))])
case("act-other-service", P_ACTION, "`iam:*` does not match an s3 action", "implicitDeny",
     identity=[pol(allow("iam:*"))])
case("act-deny-case-insensitive", P_ACTION, "a Deny matches case-insensitively too (`EC2:DESCRIBE*`)", "explicitDeny",
     action="ec2:DescribeInstances", resource="*", identity=[FULL, pol(deny("EC2:DESCRIBE*"))])

# ---------------------------------------------------------------------------------------------
# C. Resource matching
# ---------------------------------------------------------------------------------------------
case("res-exact", P_RES, "an exact resource ARN matches", "allowed", identity=[pol(allow("s3:GetObject", OBJ))])
case("res-case-sensitive-bucket", P_RES, "resource ARNs are case-sensitive", "implicitDeny",
     identity=[pol(allow("s3:GetObject", "arn:aws:s3:::Bucket/key.txt"))])
case("res-case-sensitive-user", P_RES, "in the Resource element the IAM user name is case-sensitive", "implicitDeny",
     action="iam:GetUser", resource=f"arn:aws:iam::{A}:user/bob", identity=[pol(allow("iam:GetUser", f"arn:aws:iam::{A}:user/Bob"))])
case("res-star-crosses-slash", P_RES, "`*` expands across `/` within the resource part", "allowed",
     resource="arn:aws:s3:::bucket/a/b/c.txt", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))])
case("res-bucket-vs-objects", P_RES, "`bucket/*` does not match the bucket ARN itself", "implicitDeny",
     action="s3:ListBucket", resource=BUCKET, identity=[pol(allow("s3:ListBucket", "arn:aws:s3:::bucket/*"))])
case("res-question-mark", P_RES, "`?` matches one character in a resource", "allowed",
     resource="arn:aws:s3:::bucket/file1.txt", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/file?.txt"))])
case("res-question-mark-miss", P_RES, "`?` matches exactly one character in a resource", "implicitDeny",
     resource="arn:aws:s3:::bucket/file10.txt", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/file?.txt"))])
case("res-wildcard-region", P_RES, "wildcards may be used in the region segment", "allowed",
     action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage", f"arn:aws:sqs:*:{A}:queue1"))])
case("res-wildcard-account", P_RES, "wildcards may be used in the account segment", "allowed",
     action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:*:queue1"))])
case("res-star-end-of-segment-crosses-colon", P_RES, "a `*` that is the last character of an ARN segment can expand beyond colon boundaries (`arn:aws:sqs:us-*`)", "allowed",
     action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage", "arn:aws:sqs:us-*"))])
case("res-star-resource-part-crosses-colon", P_RES, "a trailing `*` in the resource part matches across later colons", "allowed",
     action="logs:PutLogEvents", resource=f"arn:aws:logs:us-east-1:{A}:log-group:app-1:log-stream:s1",
     identity=[pol(allow("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{A}:log-group:app*"))])
case("res-region-mismatch", P_RES, "a different region segment does not match", "implicitDeny",
     action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{A}:queue1"))])
case("res-partition-mismatch", P_RES, "a different partition does not match", "implicitDeny",
     identity=[pol(allow("s3:GetObject", "arn:aws-cn:s3:::bucket/*"))])
case("res-account-mismatch", P_RES, "a different account segment does not match", "implicitDeny",
     action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{B}:queue1"))])
case("res-list-any", P_RES, "Resource may be a list; any entry matching suffices", "allowed",
     identity=[pol(allow("s3:GetObject", ["arn:aws:s3:::other/*", "arn:aws:s3:::bucket/*"]))])

# ---------------------------------------------------------------------------------------------
# D. SCPs
# ---------------------------------------------------------------------------------------------
DENY_GD = pol(deny("guardduty:*"))
case("scp-none", P_SCP, "without an organization (no SCP levels) SCPs do not restrict", "allowed", identity=[FULL])
case("scp-full-all-levels", P_SCP, "FullAWSAccess at every level lets identity policies decide", "allowed",
     identity=[FULL], scps=[[FULL], [FULL], [FULL]])
case("scp-ou-only-deny", P_SCP, "every level must allow: an OU whose only SCP is a Deny of another service leaves no Allow", "implicitDeny",
     identity=[FULL], scps=[[FULL], [DENY_GD], [FULL]])
case("scp-ou-allowlist-in", P_SCP, "an allow-list SCP at an OU (Allow s3:*) lets s3 through", "allowed",
     identity=[FULL], scps=[[FULL], [pol(allow("s3:*"))], [FULL]])
case("scp-ou-allowlist-out", P_SCP, "an allow-list SCP at an OU blocks services it does not list", "implicitDeny",
     action="ec2:RunInstances", resource="*", identity=[FULL], scps=[[FULL], [pol(allow("s3:*"))], [FULL]])
case("scp-root-allowlist-out", P_SCP, "an allow-list at the root restricts every account below", "implicitDeny",
     action="ec2:RunInstances", resource="*", identity=[FULL], scps=[[pol(allow("s3:*"))], [FULL], [FULL]])
case("scp-account-level-missing-allow", P_SCP, "the account level must allow too", "implicitDeny",
     identity=[FULL], scps=[[FULL], [FULL], [pol(allow("ec2:*"))]])
case("scp-account-level-deny", P_SCP, "an explicit Deny at the account level denies", "explicitDeny",
     identity=[FULL], scps=[[FULL], [FULL], [FULL, pol(deny("s3:*"))]])
case("scp-does-not-grant", P_SCP, "SCPs never grant: FullAWSAccess everywhere but no identity Allow", "implicitDeny",
     scps=[[FULL], [FULL], [FULL]])
case("scp-any-policy-at-level", P_SCP, "at one level, an Allow in any attached SCP suffices", "allowed",
     action="ec2:RunInstances", resource="*", identity=[FULL], scps=[[pol(allow("s3:*")), pol(allow("ec2:*"))], [FULL]])
case("scp-mgmt-account-exempt", P_SCP, "SCPs do not affect principals of the management account", "allowed",
     principal=f"arn:aws:iam::{MGMT}:user/admin", identity=[FULL], scps=[[FULL, pol(deny())]], management_account_id=MGMT)
case("scp-other-mgmt-account", P_SCP, "a member account (not the management account) is restricted", "explicitDeny",
     identity=[FULL], scps=[[FULL, pol(deny())]], management_account_id=MGMT)
case("scp-slr-exempt", P_SCP, "SCPs do not affect service-linked roles", "allowed",
     principal=SLR, action="ec2:TerminateInstances", resource="*", identity=[FULL], scps=[[FULL, pol(deny())]])
case("scp-slr-session-exempt", P_SCP, "SCPs do not affect service-linked roles (a session of the role)", "allowed",
     principal=SLR_SESS, action="ec2:TerminateInstances", resource="*", identity=[FULL], scps=[[FULL, pol(deny())]])
REGION_LOCK = pol(deny(NotAction=["iam:*", "sts:*", "organizations:*"], cond={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}))
case("scp-region-lock-denied", P_SCP, "a Deny/NotAction region-lock SCP denies a regional action outside the allowed region", "explicitDeny",
     action="ec2:RunInstances", resource="*", context={"aws:RequestedRegion": "us-east-1"}, identity=[FULL], scps=[[FULL, REGION_LOCK]])
case("scp-region-lock-allowed-region", P_SCP, "the region-lock SCP leaves the allowed region alone", "allowed",
     action="ec2:RunInstances", resource="*", context={"aws:RequestedRegion": "eu-west-1"}, identity=[FULL], scps=[[FULL, REGION_LOCK]])
case("scp-region-lock-exempt-action", P_SCP, "the region-lock SCP exempts the NotAction-listed global services", "allowed",
     action="iam:ListRoles", resource="*", context={"aws:RequestedRegion": "us-east-1"}, identity=[FULL], scps=[[FULL, REGION_LOCK]])
BREAKGLASS = pol(deny("cloudtrail:StopLogging", cond={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}}))
case("scp-exception-role-allowed", P_SCP, "a Deny with ArnNotLike aws:PrincipalArn exempts the named role (session's PrincipalArn is the role ARN)", "allowed",
     principal=f"arn:aws:sts::{A}:assumed-role/BreakGlass/ops", action="cloudtrail:StopLogging", resource="*", identity=[FULL], scps=[[FULL, BREAKGLASS]])
case("scp-exception-other-denied", P_SCP, "the same SCP denies every other principal", "explicitDeny",
     principal=SESS, action="cloudtrail:StopLogging", resource="*", identity=[FULL], scps=[[FULL, BREAKGLASS]])
case("scp-root-user-restricted", P_SCP, "SCPs restrict the root user of member accounts", "explicitDeny",
     principal=ROOT, action="ec2:TerminateInstances", resource="*", scps=[[FULL, pol(deny("ec2:*"))]])
case("scp-root-user-missing-allow", P_SCP, "the root user of a member account also needs every level to allow", "implicitDeny",
     principal=ROOT, action="ec2:TerminateInstances", resource="*", scps=[[FULL], [pol(allow("s3:*"))]])
case("scp-limits-resource-policy-grant", P_SCP, "a missing SCP Allow blocks even a same-account resource-policy grant", "implicitDeny",
     scps=[[FULL], [pol(allow("ec2:*"))]],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:GetObject", "Resource": OBJ}))
case("scp-not-service-principal", P_SCP, "SCPs affect only IAM users and roles of member accounts, not AWS service principals", "allowed",
     principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource="arn:aws:s3:::trail-bucket/AWSLogs/x", resource_account=A,
     scps=[[FULL, pol(deny())]],
     resource_policy=pol({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail-bucket/*"}))
case("scp-condition-deny-mfa", P_SCP, "an SCP Deny with BoolIfExists aws:MultiFactorAuthPresent false denies when the key is absent", "explicitDeny",
     action="ec2:StopInstances", resource="*", identity=[FULL],
     scps=[[FULL, pol(deny("ec2:StopInstances", cond={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))]])

# ---------------------------------------------------------------------------------------------
# E. RCPs
# ---------------------------------------------------------------------------------------------
def rdeny(action="*", resource="*", cond=None) -> dict:
    s = {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource}
    if cond:
        s["Condition"] = cond
    return s


ORG_PERIMETER = pol(rdeny("s3:*", cond={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}))
XBUCKET = pol({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"})
case("rcp-external-org-denied", P_RCP, "an RCP identity perimeter denies principals from outside the organization despite both policies allowing", "explicitDeny",
     principal=EXT_USER, resource_account=A, context={"aws:PrincipalOrgID": "o-other"}, identity=[FULL], resource_policy=XBUCKET, rcps=[[ORG_PERIMETER]])
case("rcp-same-org-allowed", P_RCP, "the perimeter RCP lets principals of the organization through", "allowed",
     principal=EXT_USER, resource_account=A, context={"aws:PrincipalOrgID": "o-abc123"}, identity=[FULL], resource_policy=XBUCKET, rcps=[[ORG_PERIMETER]])
case("rcp-unsupported-service", P_RCP, "RCPs apply only to resources of supported services (EC2 is not one)", "allowed",
     action="ec2:TerminateInstances", resource=f"arn:aws:ec2:us-east-1:{A}:instance/i-0123", identity=[FULL], rcps=[[pol(rdeny())]])
case("rcp-mgmt-account-resources", P_RCP, "RCPs do not affect resources in the management account", "allowed",
     principal=f"arn:aws:iam::{MGMT}:user/admin", action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{MGMT}:q",
     identity=[FULL], rcps=[[pol(rdeny())]], management_account_id=MGMT)
case("rcp-member-resources", P_RCP, "RCPs do affect resources in member accounts", "explicitDeny",
     action="sqs:SendMessage", resource=QUEUE, identity=[FULL], rcps=[[pol(rdeny())]], management_account_id=MGMT)
case("rcp-slr-exempt", P_RCP, "RCPs do not restrict actions taken by service-linked roles", "allowed",
     principal=SLR, action="s3:GetObject", identity=[FULL], rcps=[[pol(rdeny())]])
case("rcp-secure-transport-denied", P_RCP, "an RCP denying aws:SecureTransport false denies plain-HTTP requests", "explicitDeny",
     context={"aws:SecureTransport": "false"}, identity=[FULL], rcps=[[pol(rdeny("s3:*", cond={"Bool": {"aws:SecureTransport": "false"}}))]])
case("rcp-secure-transport-ok", P_RCP, "the same RCP allows HTTPS requests", "allowed",
     context={"aws:SecureTransport": "true"}, identity=[FULL], rcps=[[pol(rdeny("s3:*", cond={"Bool": {"aws:SecureTransport": "false"}}))]])
case("rcp-fullaccess-implicit", P_RCP, "RCPFullAWSAccess is attached at every level and cannot be detached, so a level holding only a non-matching Deny still passes", "allowed",
     identity=[FULL], rcps=[[pol(rdeny("s3:DeleteObject"))], [pol(rdeny("sqs:*"))]])
case("rcp-same-account-caller", P_RCP, "RCPs apply to every caller of the resource, same account included", "explicitDeny",
     identity=[FULL], rcps=[[], [pol(rdeny("s3:GetObject"))]])
case("rcp-service-principal-confused-deputy", P_RCP, "RCPs restrict AWS service principals too (confused-deputy RCP with aws:SourceOrgID)", "explicitDeny",
     principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource="arn:aws:s3:::trail-bucket/AWSLogs/x", resource_account=A,
     context={"aws:SourceOrgID": "o-other", "aws:SourceAccount": B},
     resource_policy=pol({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail-bucket/*"}),
     rcps=[[pol(rdeny("s3:*", cond={"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-abc123"}, "Null": {"aws:SourceAccount": "false"}, "Bool": {"aws:PrincipalIsAWSService": "true"}}))]])
case("rcp-sts-assume-role", P_RCP, "STS is a supported service: an RCP Deny on sts:AssumeRole blocks a trusted external principal", "explicitDeny",
     principal=EXT_SESS, action="sts:AssumeRole", resource=ROLE_RES, identity=[FULL], resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": EXT_ROLE}, "Action": "sts:AssumeRole"}),
     rcps=[[pol(rdeny("sts:AssumeRole", cond={"StringNotEquals": {"aws:PrincipalAccount": A}}))]])
case("rcp-kms", P_RCP, "KMS is a supported service: an RCP Deny applies to a customer managed key", "explicitDeny",
     action="kms:Decrypt", resource=KEY, identity=[FULL],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}),
     rcps=[[pol(rdeny("kms:Decrypt"))]])

# ---------------------------------------------------------------------------------------------
# F. Permissions boundaries, session policies, same-account resource-policy grants
# ---------------------------------------------------------------------------------------------
S3_ONLY = pol(allow("s3:*"))
EC2_ONLY = pol(allow("ec2:*"))


def rp_to(principal_value, action="s3:GetObject", resource=OBJ) -> dict:
    return pol({"Effect": "Allow", "Principal": principal_value, "Action": action, "Resource": resource})


case("pb-both-allow", P_BOUND, "the effective permissions are the intersection of identity policy and boundary", "allowed",
     identity=[FULL], boundary=S3_ONLY)
case("pb-boundary-missing", P_BOUND, "an identity Allow outside the boundary is implicitly denied", "implicitDeny",
     identity=[FULL], boundary=EC2_ONLY)
case("pb-identity-missing", P_BOUND, "a boundary grants nothing on its own", "implicitDeny", boundary=S3_ONLY)
case("pb-role-session", P_BOUND, "a role's boundary caps its sessions", "implicitDeny",
     principal=SESS, identity=[FULL], boundary=EC2_ONLY)
case("sp-both-allow", P_SESS, "a session's permissions are the intersection of identity policies and session policy", "allowed",
     principal=SESS, identity=[FULL], session=S3_ONLY)
case("sp-session-missing", P_SESS, "an identity Allow outside the session policy is implicitly denied", "implicitDeny",
     principal=SESS, identity=[FULL], session=EC2_ONLY)
case("sp-session-grants-nothing", P_SESS, "a session policy grants nothing on its own", "implicitDeny",
     principal=SESS, session=S3_ONLY)
case("sp-and-pb-all-allow", P_EVAL, "identity, boundary and session policy all allowing grants", "allowed",
     principal=SESS, identity=[FULL], boundary=S3_ONLY, session=pol(allow("s3:GetObject")))
case("rp-user-arn-no-identity-boundary-missing", P_EVAL, "same account: a resource policy naming the IAM user ARN is not limited by an implicit deny in identity policies or the boundary", "allowed",
     boundary=EC2_ONLY, resource_policy=rp_to({"AWS": USER}))
case("rp-user-arn-boundary-deny", P_EVAL, "an explicit Deny in the boundary still denies a user-ARN resource-policy grant", "explicitDeny",
     boundary=pol(allow(), deny("s3:*")), resource_policy=rp_to({"AWS": USER}))
case("rp-role-arn-no-identity", P_EVAL, "same account: a resource policy naming the role ARN grants the role's sessions without an identity Allow", "allowed",
     principal=SESS, resource_policy=rp_to({"AWS": ROLE}))
case("rp-role-arn-boundary-missing", P_EVAL, "a resource policy naming the role ARN is limited by an implicit deny in the permissions boundary", "implicitDeny",
     principal=SESS, boundary=EC2_ONLY, resource_policy=rp_to({"AWS": ROLE}))
case("rp-role-arn-boundary-allows", P_EVAL, "a role-ARN grant passes when the boundary allows the action", "allowed",
     principal=SESS, boundary=S3_ONLY, resource_policy=rp_to({"AWS": ROLE}))
case("rp-role-arn-session-policy-missing", P_EVAL, "a resource policy naming the role ARN is limited by an implicit deny in the session policy", "implicitDeny",
     principal=SESS, session=EC2_ONLY, resource_policy=rp_to({"AWS": ROLE}))
case("rp-role-arn-session-policy-allows", P_EVAL, "a role-ARN grant passes when the session policy allows", "allowed",
     principal=SESS, session=S3_ONLY, resource_policy=rp_to({"AWS": ROLE}))
case("rp-session-arn-boundary-missing", P_EVAL, "same account: a grant to the role session ARN is not limited by the boundary", "allowed",
     principal=SESS, boundary=EC2_ONLY, resource_policy=rp_to({"AWS": SESS}))
case("rp-session-arn-session-policy-missing", P_EVAL, "same account: a grant to the role session ARN is not limited by the session policy", "allowed",
     principal=SESS, session=EC2_ONLY, resource_policy=rp_to({"AWS": SESS}))
case("rp-session-arn-other-session", P_PRIN, "a grant to one role session ARN does not cover another session of the role", "implicitDeny",
     principal=SESS2, resource_policy=rp_to({"AWS": SESS}))
case("rp-federated-user-boundary", P_EVAL, "same account: a grant to the federated-user session ARN grants the session directly", "allowed",
     principal=f"arn:aws:sts::{A}:federated-user/fed1", session=EC2_ONLY, resource_policy=rp_to({"AWS": f"arn:aws:sts::{A}:federated-user/fed1"}))
case("rp-account-root-no-identity", P_PRIN, "a resource policy naming the account delegates to the account's identity policies (none here)", "implicitDeny",
     resource_policy=rp_to({"AWS": ROOT}))
case("rp-account-id-with-identity", P_PRIN, "the account id form `111122223333` delegates like the root ARN; the identity Allow grants", "allowed",
     identity=[pol(allow("s3:GetObject"))], resource_policy=rp_to({"AWS": A}))
case("rp-star-same-account", P_PRIN, "Principal `*` in a same-account resource policy grants the caller without an identity Allow", "allowed",
     resource_policy=rp_to("*"))
case("rp-union-identity-only", P_EVAL, "same account: identity Allow alone suffices when the resource policy is silent", "allowed",
     identity=[pol(allow("s3:GetObject"))], resource_policy=rp_to({"AWS": BOB}))
case("rp-user-arn-other-user", P_PRIN, "a grant to another user's ARN does not cover the caller", "implicitDeny",
     resource_policy=rp_to({"AWS": BOB}))
case("rp-user-arn-scp-allowlist", P_SCP, "a user-ARN resource grant is still limited by the SCPs", "allowed",
     resource_policy=rp_to({"AWS": USER}), scps=[[FULL], [S3_ONLY]])

# ---------------------------------------------------------------------------------------------
# G. Cross-account
# ---------------------------------------------------------------------------------------------
XRES = f"arn:aws:sqs:us-east-1:{B}:shared"
case("xa-both-allow", P_XACCT, "cross-account: identity policy and resource policy both allow", "allowed",
     action="sqs:SendMessage", resource=XRES, identity=[pol(allow("sqs:SendMessage"))], resource_policy=rp_to({"AWS": USER}, "sqs:SendMessage", XRES))
case("xa-no-resource-policy", P_XACCT, "cross-account: an identity Allow alone is not enough", "implicitDeny",
     action="sqs:SendMessage", resource=XRES, identity=[pol(allow("sqs:SendMessage"))])
case("xa-no-identity", P_XACCT, "cross-account: a resource-policy grant alone is not enough", "implicitDeny",
     action="sqs:SendMessage", resource=XRES, resource_policy=rp_to({"AWS": USER}, "sqs:SendMessage", XRES))
case("xa-account-root", P_XACCT, "cross-account: a grant to the caller's account root plus an identity Allow", "allowed",
     action="sqs:SendMessage", resource=XRES, identity=[FULL], resource_policy=rp_to({"AWS": ROOT}, "sqs:SendMessage", XRES))
case("xa-account-id", P_PRIN, "cross-account: `\"AWS\": \"111122223333\"` is equivalent to the root ARN", "allowed",
     action="sqs:SendMessage", resource=XRES, identity=[FULL], resource_policy=rp_to({"AWS": A}, "sqs:SendMessage", XRES))
case("xa-role-arn-session", P_PRIN, "cross-account: a grant to the role ARN covers that role's sessions", "allowed",
     principal=SESS, action="sqs:SendMessage", resource=XRES, identity=[FULL], resource_policy=rp_to({"AWS": ROLE}, "sqs:SendMessage", XRES))
case("xa-other-account", P_XACCT, "cross-account: a grant to a different account does not cover the caller", "implicitDeny",
     action="sqs:SendMessage", resource=XRES, identity=[FULL], resource_policy=rp_to({"AWS": "arn:aws:iam::777788889999:root"}, "sqs:SendMessage", XRES))
case("xa-boundary-limits", P_XACCT, "cross-account: the caller's boundary must allow as part of the identity side", "implicitDeny",
     action="sqs:SendMessage", resource=XRES, identity=[FULL], boundary=S3_ONLY, resource_policy=rp_to({"AWS": USER}, "sqs:SendMessage", XRES))
case("xa-session-arn-session-policy", P_XACCT, "cross-account: a session-ARN grant does not bypass the caller's session policy", "implicitDeny",
     principal=SESS, action="sqs:SendMessage", resource=XRES, identity=[FULL], session=S3_ONLY, resource_policy=rp_to({"AWS": SESS}, "sqs:SendMessage", XRES))
case("xa-resource-deny", P_XACCT, "cross-account: an explicit Deny in the resource policy denies", "explicitDeny",
     action="sqs:SendMessage", resource=XRES, identity=[FULL],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sqs:*", "Resource": XRES},
                         {"Effect": "Deny", "Principal": {"AWS": USER}, "Action": "sqs:SendMessage", "Resource": XRES}))
case("xa-s3-resource-account", P_XACCT, "cross-account S3 (owner given by resource_account): identity Allow alone is not enough", "implicitDeny",
     resource_account=B, identity=[FULL])
case("xa-s3-both", P_XACCT, "cross-account S3: bucket policy grant plus identity Allow", "allowed",
     resource_account=B, identity=[FULL], resource_policy=rp_to({"AWS": USER}))
case("xa-scp-of-caller", P_SCP, "cross-account: the caller's SCPs apply", "explicitDeny",
     action="sqs:SendMessage", resource=XRES, identity=[FULL], resource_policy=rp_to({"AWS": USER}, "sqs:SendMessage", XRES),
     scps=[[FULL, pol(deny("sqs:*"))]])
case("xa-external-principal-inbound", P_XACCT, "inbound: an external session with identity Allow and a bucket grant to its role", "allowed",
     principal=EXT_SESS, resource_account=A, identity=[FULL], resource_policy=rp_to({"AWS": EXT_ROLE}))

# ---------------------------------------------------------------------------------------------
# H. KMS key policies and role trust policies
# ---------------------------------------------------------------------------------------------
KP_ROOT = pol({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"})
case("kms-root-delegation-identity", P_KMS, "a key policy allowing the account root enables IAM policies; the identity Allow grants", "allowed",
     action="kms:Decrypt", resource=KEY, identity=[pol(allow("kms:Decrypt"))], resource_policy=KP_ROOT)
case("kms-root-delegation-no-identity", P_KMS, "the root-account key policy statement alone grants no IAM principal", "implicitDeny",
     action="kms:Decrypt", resource=KEY, resource_policy=KP_ROOT)
case("kms-key-policy-silent", P_EVAL, "KMS key policies must explicitly allow: an identity Allow is not enough when the key policy does not cover the caller", "implicitDeny",
     action="kms:Decrypt", resource=KEY, identity=[FULL],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/keyadmin"}, "Action": "kms:*", "Resource": "*"}))
case("kms-key-policy-direct-role", P_KMS, "a key policy naming the role grants its sessions without an IAM policy", "allowed",
     principal=SESS, action="kms:Decrypt", resource=KEY,
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}))
case("kms-cross-account", P_KMS, "cross-account key use needs the key policy and the caller's IAM policy", "allowed",
     action="kms:Decrypt", resource=EXT_KEY, identity=[pol(allow("kms:Decrypt", EXT_KEY))],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:Decrypt", "Resource": "*"}))
TRUST_ROOT = pol({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"})
case("trust-account-with-identity", P_TRUST, "a trust policy trusting the account delegates to IAM: with an identity Allow the user can assume", "allowed",
     action="sts:AssumeRole", resource=ROLE_RES, identity=[pol(allow("sts:AssumeRole", ROLE_RES))], resource_policy=TRUST_ROOT, resource_policy_kind="trust")
case("trust-account-no-identity", P_TRUST, "a trust policy trusting the account alone does not let a user without an identity Allow assume", "implicitDeny",
     action="sts:AssumeRole", resource=ROLE_RES, resource_policy=TRUST_ROOT, resource_policy_kind="trust")
case("trust-silent", P_EVAL, "role trust policies must explicitly allow: an identity Allow is not enough", "implicitDeny",
     action="sts:AssumeRole", resource=ROLE_RES, identity=[FULL], resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
case("trust-cross-account", P_TRUST, "cross-account assume: trust names the external role and the caller's identity allows", "allowed",
     principal=EXT_SESS, action="sts:AssumeRole", resource=ROLE_RES, identity=[pol(allow("sts:AssumeRole"))], resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": EXT_ROLE}, "Action": "sts:AssumeRole"}))
case("trust-cross-account-no-identity", P_TRUST, "cross-account assume without an identity Allow is denied", "implicitDeny",
     principal=EXT_SESS, action="sts:AssumeRole", resource=ROLE_RES, resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": EXT_ROLE}, "Action": "sts:AssumeRole"}))
case("trust-external-id-match", P_TRUST, "trust policy with sts:ExternalId condition: matching value", "allowed",
     principal=EXT_SESS, action="sts:AssumeRole", resource=ROLE_RES, identity=[FULL], resource_policy_kind="trust", context={"sts:ExternalId": "abc-123"},
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": B}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "abc-123"}}}))
case("trust-external-id-missing", P_TRUST, "trust policy with sts:ExternalId condition: key absent", "implicitDeny",
     principal=EXT_SESS, action="sts:AssumeRole", resource=ROLE_RES, identity=[FULL], resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": B}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "abc-123"}}}))
case("trust-saml-federated", P_PRIN, "a Federated principal (SAML provider) in a trust policy matches AssumeRoleWithSAML from that provider", "allowed",
     principal=f"arn:aws:iam::{A}:saml-provider/okta", action="sts:AssumeRoleWithSAML", resource=ROLE_RES, resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{A}:saml-provider/okta"}, "Action": "sts:AssumeRoleWithSAML"}))
case("trust-service", P_PRIN, "a Service principal in a trust policy lets the service assume the role", "allowed",
     principal="ec2.amazonaws.com", action="sts:AssumeRole", resource=ROLE_RES, resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))

# ---------------------------------------------------------------------------------------------
# I. NotPrincipal
# ---------------------------------------------------------------------------------------------
def np_policy(not_principals, grant=None) -> dict:
    stmts = [{"Effect": "Deny", "NotPrincipal": {"AWS": not_principals}, "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}]
    if grant:
        stmts.insert(0, {"Effect": "Allow", "Principal": {"AWS": grant}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"})
    return pol(*stmts)


case("np-listed-user-and-account", P_NOTP, "Deny with NotPrincipal listing the user and its account exempts that user", "allowed",
     identity=[FULL], resource_policy=np_policy([USER, ROOT]))
case("np-other-user-denied", P_NOTP, "Deny with NotPrincipal denies every principal not listed", "explicitDeny",
     identity=[FULL], resource_policy=np_policy([BOB, ROOT]))
case("np-session-role-account", P_NOTP, "for an assumed-role session, listing session ARN, role ARN and account exempts it", "allowed",
     principal=SESS, identity=[FULL], resource_policy=np_policy([SESS, ROLE, ROOT]))
case("np-other-session-denied", P_NOTP, "a different session of the listed role is not exempt when only one session ARN is listed", "explicitDeny",
     principal=SESS2, identity=[FULL], resource_policy=np_policy([SESS, ROLE, ROOT]),
     ambiguous="the page says AWS 'might' validate account, role, then session; whether listing the role ARN exempts all its sessions is not settled")
case("np-boundary-always-denied", P_NOTP, "a Deny with NotPrincipal always denies an IAM principal with a permissions boundary, whatever is listed", "explicitDeny",
     identity=[FULL], boundary=FULL, resource_policy=np_policy([USER, ROOT]))
case("np-user-only-listed", P_NOTP, "without the account ARN listed the Deny 'might' deny the whole account", "explicitDeny",
     identity=[FULL], resource_policy=np_policy([USER]),
     ambiguous="the page says the policy 'might' deny access to the entire account, depending on the service")
case("np-external-account-grant", P_NOTP, "cross-account: Deny NotPrincipal listing the external user and account, plus a grant, allows it", "allowed",
     principal=EXT_USER, resource_account=A, identity=[FULL], resource_policy=np_policy([EXT_USER, f"arn:aws:iam::{B}:root"], grant=EXT_USER))

# ---------------------------------------------------------------------------------------------
# J. Principal element
# ---------------------------------------------------------------------------------------------
case("pr-star-anonymous", P_PRIN, "Principal `*` includes anonymous users", "allowed",
     principal="anonymous", resource_policy=rp_to("*"))
case("pr-aws-star-anonymous", P_PRIN, "`{\"AWS\": \"*\"}` is equivalent to `*` and includes anonymous users", "allowed",
     principal="anonymous", resource_policy=rp_to({"AWS": "*"}))
case("pr-anonymous-no-grant", P_PRIN, "anonymous callers get nothing without a public grant", "implicitDeny",
     principal="anonymous", resource_policy=rp_to({"AWS": ROOT}))
case("pr-service", P_PRIN, "a Service principal matches requests from that service", "allowed",
     principal="logging.s3.amazonaws.com", action="s3:PutObject", resource_policy=rp_to({"Service": "logging.s3.amazonaws.com"}, "s3:PutObject"))
case("pr-service-other", P_PRIN, "a Service principal does not match a different service", "implicitDeny",
     principal="lambda.amazonaws.com", action="s3:PutObject", resource_policy=rp_to({"Service": "logging.s3.amazonaws.com"}, "s3:PutObject"))
case("pr-partial-wildcard", P_PRIN, "wildcards cannot match part of a principal ARN (`user/*`)", "implicitDeny",
     principal=EXT_USER, resource_account=A, identity=[FULL], resource_policy=rp_to({"AWS": f"arn:aws:iam::{B}:user/*"}))
case("pr-role-with-path", P_PRIN, "a grant to a role ARN with a path covers its sessions (session ARNs carry no path)", "allowed",
     principal=f"arn:aws:sts::{B}:assumed-role/deployer/d1", resource_account=A, identity=[FULL],
     resource_policy=rp_to({"AWS": f"arn:aws:iam::{B}:role/ci/deployer"}))
case("pr-canonical-user", P_PRIN, "a CanonicalUser principal matches that canonical user", "allowed",
     principal="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
     resource_policy=rp_to({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}))
case("pr-list", P_PRIN, "Principal AWS may be a list; any entry matching suffices", "allowed",
     principal=EXT_USER, resource_account=A, identity=[FULL], resource_policy=rp_to({"AWS": [BOB, EXT_USER]}))
case("pr-root-arn-covers-users", P_PRIN, "the account root ARN principal covers IAM users of that account (with their identity Allow)", "allowed",
     principal=EXT_USER, resource_account=A, identity=[FULL], resource_policy=rp_to({"AWS": f"arn:aws:iam::{B}:root"}))

# ---------------------------------------------------------------------------------------------
# K. String operators, key-name case, AND/OR
# ---------------------------------------------------------------------------------------------
T = "aws:PrincipalTag/env"
cond_case("str-equals", P_OPS, "StringEquals: exact match", "allowed", {"StringEquals": {"s3:prefix": "home/"}}, {"s3:prefix": "home/"})
cond_case("str-equals-case", P_OPS, "StringEquals is case-sensitive", "implicitDeny", {"StringEquals": {"s3:prefix": "home/"}}, {"s3:prefix": "Home/"})
cond_case("str-equals-ignorecase", P_OPS, "StringEqualsIgnoreCase ignores case", "allowed", {"StringEqualsIgnoreCase": {"s3:prefix": "home/"}}, {"s3:prefix": "HOME/"})
cond_case("str-notequals-different", P_OPS, "StringNotEquals: a different value matches", "allowed", {"StringNotEquals": {"s3:prefix": "secret/"}}, {"s3:prefix": "home/"})
cond_case("str-notequals-same", P_OPS, "StringNotEquals: the same value does not match", "implicitDeny", {"StringNotEquals": {"s3:prefix": "secret/"}}, {"s3:prefix": "secret/"})
cond_case("str-notequals-ignorecase", P_OPS, "StringNotEqualsIgnoreCase: a value equal ignoring case does not match", "implicitDeny",
          {"StringNotEqualsIgnoreCase": {"s3:prefix": "secret/"}}, {"s3:prefix": "SECRET/"})
cond_case("str-like-star", P_OPS, "StringLike: `*` matches any characters", "allowed", {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/alice/docs"})
cond_case("str-like-qmark", P_OPS, "StringLike: `?` matches one character", "allowed", {"StringLike": {"s3:prefix": "v?"}}, {"s3:prefix": "v2"})
cond_case("str-like-case", P_OPS, "StringLike is case-sensitive", "implicitDeny", {"StringLike": {"s3:prefix": "Prod*"}}, {"s3:prefix": "production"})
cond_case("str-notlike", P_OPS, "StringNotLike: a matching value makes the condition false", "implicitDeny", {"StringNotLike": {"s3:prefix": "secret/*"}}, {"s3:prefix": "secret/x"})
cond_case("str-equals-no-wildcard", P_OPS, "StringEquals treats `*` literally (partial matches need StringLike)", "implicitDeny", {"StringEquals": {"s3:prefix": "home*"}}, {"s3:prefix": "home/a"})
cond_case("str-equals-missing", P_OPS, "a key absent from the request makes a positive operator false", "implicitDeny", {"StringEquals": {"s3:prefix": "home/"}}, {})
cond_case("str-notequals-missing", P_OPS, "a key absent from the request makes a negated operator (StringNotEquals) true", "allowed", {"StringNotEquals": {"s3:prefix": "home/"}}, {})
cond_case("str-notlike-missing", P_OPS, "a key absent from the request makes StringNotLike true", "allowed", {"StringNotLike": {"s3:prefix": "home/*"}}, {})
cond_case("str-key-name-case", P_COND, "condition key names are case-insensitive (`AWS:SOURCEVPC` vs `aws:SourceVpc`)", "allowed",
          {"StringEquals": {"AWS:SOURCEVPC": "vpc-111"}}, {"aws:SourceVpc": "vpc-111"})
cond_case("str-key-name-case-context", P_COND, "condition key names are case-insensitive (request context key spelled differently)", "allowed",
          {"StringEquals": {"aws:SourceVpc": "vpc-111"}}, {"AWS:sourcevpc": "vpc-111"})
cond_case("str-values-or", P_COND, "several values for one key are ORed", "allowed", {"StringEquals": {"s3:prefix": ["a/", "b/", "c/"]}}, {"s3:prefix": "b/"})
cond_case("str-keys-and", P_COND, "several keys under one operator are ANDed (one fails)", "implicitDeny",
          {"StringEquals": {"s3:prefix": "a/", "s3:delimiter": "/"}}, {"s3:prefix": "a/", "s3:delimiter": "-"})
cond_case("str-operators-and", P_COND, "several operators in one Condition are ANDed (one fails)", "implicitDeny",
          {"StringEquals": {"s3:prefix": "a/"}, "NumericLessThan": {"s3:max-keys": "10"}}, {"s3:prefix": "a/", "s3:max-keys": "50"})
cond_case("str-operators-and-pass", P_COND, "several operators in one Condition are ANDed (all pass)", "allowed",
          {"StringEquals": {"s3:prefix": "a/"}, "NumericLessThan": {"s3:max-keys": "10"}}, {"s3:prefix": "a/", "s3:max-keys": "5"})
cond_case("str-deny-notequals-ifexists-missing", P_OPS, "a Deny with StringNotEqualsIfExists still denies when the key is missing", "explicitDeny",
          {"StringNotEqualsIfExists": {T: "prod"}}, {}, effect="Deny")
cond_case("str-principal-tag-field", P_KEYS, "aws:PrincipalTag/<key> comes from the principal's tags", "allowed",
          {"StringEquals": {T: "prod"}}, {}, principal_tags={"env": "prod"})

# ---------------------------------------------------------------------------------------------
# L. Numeric
# ---------------------------------------------------------------------------------------------
MK = "s3:max-keys"
cond_case("num-lt", P_OPS, "NumericLessThan: 5 < 10", "allowed", {"NumericLessThan": {MK: "10"}}, {MK: "5"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-lt-equal", P_OPS, "NumericLessThan: 10 is not < 10", "implicitDeny", {"NumericLessThan": {MK: "10"}}, {MK: "10"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-lte-equal", P_OPS, "NumericLessThanEquals: 10 <= 10", "allowed", {"NumericLessThanEquals": {MK: "10"}}, {MK: "10"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-gt", P_OPS, "NumericGreaterThan: 11 > 10", "allowed", {"NumericGreaterThan": {MK: "10"}}, {MK: "11"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-gte-below", P_OPS, "NumericGreaterThanEquals: 9 is not >= 10", "implicitDeny", {"NumericGreaterThanEquals": {MK: "10"}}, {MK: "9"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-equals-decimal", P_OPS, "Numeric operators compare integer and decimal values numerically (10 == 10.0)", "allowed", {"NumericEquals": {MK: "10.0"}}, {MK: "10"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-equals-not-string-compare", P_OPS, "numeric comparison, not string comparison: 9 < 10 (string order would say otherwise)", "allowed", {"NumericLessThan": {MK: "10"}}, {MK: "9"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-json-number", P_OPS, "a JSON number as the policy value works like the string form", "allowed", {"NumericLessThanEquals": {MK: 10}}, {MK: "10"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-request-int", P_OPS, "a JSON integer request value is compared numerically", "allowed", {"NumericLessThanEquals": {MK: "10"}}, {MK: 7}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-equals-missing", P_OPS, "NumericEquals with the key absent is false", "implicitDeny", {"NumericEquals": {MK: "10"}}, {}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-notequals-missing", P_OPS, "NumericNotEquals with the key absent is true (negated operator)", "allowed", {"NumericNotEquals": {MK: "10"}}, {}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-notequals-same", P_OPS, "NumericNotEquals with an equal value is false", "implicitDeny", {"NumericNotEquals": {MK: "10"}}, {MK: "10"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-request-not-number", P_OPS, "a request value that is not a number cannot satisfy a numeric Allow", "implicitDeny", {"NumericLessThan": {MK: "10"}}, {MK: "abc"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-ifexists-missing", P_OPS, "NumericLessThanIfExists with the key absent is true", "allowed", {"NumericLessThanIfExists": {MK: "10"}}, {}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-ifexists-present-fail", P_OPS, "NumericLessThanIfExists with the key present is evaluated normally", "implicitDeny", {"NumericLessThanIfExists": {MK: "10"}}, {MK: "20"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-variable-not-substituted", P_VARS, "policy variables cannot be used with Numeric operators, so `${...}` is not a number and the Allow cannot match", "implicitDeny",
          {"NumericLessThan": {MK: "${aws:PrincipalTag/maxkeys}"}}, {MK: "5"}, action="s3:ListBucket", resource=BUCKET, principal_tags={"maxkeys": "100"})

# ---------------------------------------------------------------------------------------------
# M. Date
# ---------------------------------------------------------------------------------------------
CT = "aws:CurrentTime"
cond_case("date-lt-iso", P_OPS, "DateLessThan with ISO 8601 values", "allowed", {"DateLessThan": {CT: "2021-01-01T00:00:00Z"}}, {CT: "2020-06-01T12:00:00Z"})
cond_case("date-lt-iso-after", P_OPS, "DateLessThan false for a later time", "implicitDeny", {"DateLessThan": {CT: "2021-01-01T00:00:00Z"}}, {CT: "2022-06-01T12:00:00Z"})
cond_case("date-gt-epoch-policy", P_OPS, "date policy values may be epoch (UNIX) time", "allowed", {"DateGreaterThan": {CT: "1609459200"}}, {CT: "2022-01-01T00:00:00Z"})
cond_case("date-equals-epoch-iso", P_OPS, "an epoch value and an ISO value for the same instant are equal", "allowed", {"DateEquals": {CT: "1577836800"}}, {CT: "2020-01-01T00:00:00Z"})
cond_case("date-epochtime-key", P_OPS, "aws:EpochTime in epoch form compared with an ISO policy date", "allowed", {"DateLessThan": {"aws:EpochTime": "2021-01-01T00:00:00Z"}}, {"aws:EpochTime": "1577836800"})
cond_case("date-gte-equal", P_OPS, "DateGreaterThanEquals true for the same instant", "allowed", {"DateGreaterThanEquals": {CT: "2020-01-01T00:00:00Z"}}, {CT: "2020-01-01T00:00:00Z"})
cond_case("date-gt-equal", P_OPS, "DateGreaterThan false for the same instant", "implicitDeny", {"DateGreaterThan": {CT: "2020-01-01T00:00:00Z"}}, {CT: "2020-01-01T00:00:00Z"})
cond_case("date-lte", P_OPS, "DateLessThanEquals true for the same instant", "allowed", {"DateLessThanEquals": {CT: "2020-01-01T00:00:00Z"}}, {CT: "2020-01-01T00:00:00Z"})
cond_case("date-notequals-missing", P_OPS, "DateNotEquals with the key absent is true (negated)", "allowed", {"DateNotEquals": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}, {})
cond_case("date-lt-missing", P_OPS, "DateLessThan with aws:TokenIssueTime absent (long-term credentials) is false", "implicitDeny", {"DateLessThan": {"aws:TokenIssueTime": "2030-01-01T00:00:00Z"}}, {})
cond_case("date-offset", P_OPS, "W3C ISO 8601 with a time-zone offset denotes the same instant as UTC", "allowed", {"DateEquals": {CT: "2020-01-01T01:00:00+01:00"}}, {CT: "2020-01-01T00:00:00Z"})
cond_case("date-date-only", P_OPS, "W3C ISO 8601 allows a date without time (YYYY-MM-DD)", "allowed", {"DateGreaterThan": {CT: "2020-01-01"}}, {CT: "2020-06-01T00:00:00Z"})
cond_case("date-fractional", P_OPS, "W3C ISO 8601 allows fractional seconds", "allowed", {"DateLessThan": {CT: "2020-01-01T00:00:00.500Z"}}, {CT: "2020-01-01T00:00:00Z"})
cond_case("date-ifexists-missing", P_OPS, "DateLessThanIfExists with the key absent is true", "allowed", {"DateLessThanIfExists": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}, {})
cond_case("date-bad-policy-value", P_OPS, "a policy date that is neither ISO 8601 nor epoch can never satisfy an Allow", "implicitDeny", {"DateLessThan": {CT: "next tuesday"}}, {CT: "2020-01-01T00:00:00Z"})

# ---------------------------------------------------------------------------------------------
# N. Bool, Binary, Null
# ---------------------------------------------------------------------------------------------
ST_ = "aws:SecureTransport"
MFA = "aws:MultiFactorAuthPresent"
cond_case("bool-true", P_OPS, "Bool with string 'true' matches a true request value", "allowed", {"Bool": {ST_: "true"}}, {ST_: "true"})
cond_case("bool-mismatch", P_OPS, "Bool 'true' does not match 'false'", "implicitDeny", {"Bool": {ST_: "true"}}, {ST_: "false"})
cond_case("bool-json-booleans", P_OPS, "JSON booleans work like the strings 'true'/'false'", "allowed", {"Bool": {ST_: True}}, {ST_: True})
cond_case("bool-json-policy-string-request", P_OPS, "JSON false in the policy matches the string 'false' in the request", "allowed", {"Bool": {ST_: False}}, {ST_: "false"})
cond_case("bool-missing", P_OPS, "Bool with the key absent is false", "implicitDeny", {"Bool": {MFA: "true"}}, {})
cond_case("bool-deny-mfa-missing", P_OPS, "Deny with Bool aws:MultiFactorAuthPresent 'false' does not apply when the key is absent (long-term keys)", "allowed",
          {"Bool": {MFA: "false"}}, {}, effect="Deny")
cond_case("bool-deny-mfa-ifexists-missing", P_OPS, "Deny with BoolIfExists aws:MultiFactorAuthPresent 'false' applies when the key is absent", "explicitDeny",
          {"BoolIfExists": {MFA: "false"}}, {}, effect="Deny")
cond_case("bool-deny-mfa-ifexists-present", P_OPS, "Deny with BoolIfExists does not apply when MFA is present and true", "allowed",
          {"BoolIfExists": {MFA: "false"}}, {MFA: "true"}, effect="Deny")
cond_case("binary-equals", P_OPS, "BinaryEquals compares base-64 values", "allowed", {"BinaryEquals": {"aws:ResourceTag/blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, {"aws:ResourceTag/blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="})
cond_case("binary-equals-miss", P_OPS, "BinaryEquals with a different value is false", "implicitDeny", {"BinaryEquals": {"aws:ResourceTag/blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, {"aws:ResourceTag/blob": "b3RoZXI="})
TIT = "aws:TokenIssueTime"
cond_case("null-true-missing", P_OPS, "Null 'true': the key is absent", "allowed", {"Null": {TIT: "true"}}, {})
cond_case("null-true-present", P_OPS, "Null 'true' is false when the key is present", "implicitDeny", {"Null": {TIT: "true"}}, {TIT: "2020-01-01T00:00:00Z"})
cond_case("null-false-present", P_OPS, "Null 'false': the key is present", "allowed", {"Null": {TIT: "false"}}, {TIT: "2020-01-01T00:00:00Z"})
cond_case("null-false-missing", P_OPS, "Null 'false' is false when the key is absent", "implicitDeny", {"Null": {TIT: "false"}}, {})
cond_case("null-json-bool", P_OPS, "Null with a JSON boolean true", "allowed", {"Null": {TIT: True}}, {})
cond_case("null-two-keys", P_OPS, "Null over two keys: both must satisfy the check", "implicitDeny", {"Null": {TIT: "true", "aws:SourceIp": "true"}}, {"aws:SourceIp": "10.0.0.1"})

# ---------------------------------------------------------------------------------------------
# O. IP address (IPv4 / IPv6)
# ---------------------------------------------------------------------------------------------
IP = "aws:SourceIp"
cond_case("ip-v4-in", P_OPS, "IpAddress: an IPv4 address inside the CIDR", "allowed", {"IpAddress": {IP: "203.0.113.0/24"}}, {IP: "203.0.113.5"})
cond_case("ip-v4-out", P_OPS, "IpAddress: an IPv4 address outside the CIDR", "implicitDeny", {"IpAddress": {IP: "203.0.113.0/24"}}, {IP: "198.51.100.5"})
cond_case("ip-v4-not-in", P_OPS, "NotIpAddress: an address inside the CIDR makes it false", "implicitDeny", {"NotIpAddress": {IP: "203.0.113.0/24"}}, {IP: "203.0.113.5"})
cond_case("ip-v4-not-out", P_OPS, "NotIpAddress: an address outside the CIDR makes it true", "allowed", {"NotIpAddress": {IP: "203.0.113.0/24"}}, {IP: "198.51.100.5"})
cond_case("ip-missing", P_OPS, "IpAddress with aws:SourceIp absent (e.g. via a VPC endpoint) is false", "implicitDeny", {"IpAddress": {IP: "203.0.113.0/24"}}, {})
cond_case("ip-not-missing", P_OPS, "NotIpAddress with the key absent is true (negated)", "allowed", {"NotIpAddress": {IP: "203.0.113.0/24"}}, {})
cond_case("ip-v6-in", P_OPS, "IpAddress with an IPv6 CIDR; hex digits compare case-insensitively", "allowed", {"IpAddress": {IP: "2001:DB8:1234:5678::/64"}}, {IP: "2001:db8:1234:5678::abcd"})
cond_case("ip-v6-out", P_OPS, "IpAddress with an IPv6 address outside the /64", "implicitDeny", {"IpAddress": {IP: "2001:DB8:1234:5678::/64"}}, {IP: "2001:db8:1234:9999::1"})
cond_case("ip-v4-vs-v6", P_OPS, "an IPv4 request address does not match an IPv6-only CIDR", "implicitDeny", {"IpAddress": {IP: "2001:DB8:1234:5678::/64"}}, {IP: "203.0.113.5"})
cond_case("ip-mixed-list", P_OPS, "IPv4 and IPv6 CIDRs in one list are ORed", "allowed", {"IpAddress": {IP: ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}, {IP: "2001:db8:1234:5678:0:0:0:1"})
cond_case("ip-v6-deny-not-in", P_OPS, "Deny with NotIpAddress does not apply to an IPv6 caller inside the allowed range", "allowed",
          {"NotIpAddress": {IP: ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}, {IP: "2001:db8:1234:5678::9"}, effect="Deny")
cond_case("ip-v6-deny-not-out", P_OPS, "Deny with NotIpAddress applies to an IPv6 caller outside the ranges", "explicitDeny",
          {"NotIpAddress": {IP: ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}, {IP: "2001:db8:ffff::9"}, effect="Deny")
cond_case("ip-ifexists-missing", P_OPS, "IpAddressIfExists with the key absent is true", "allowed", {"IpAddressIfExists": {IP: "203.0.113.0/24"}}, {})
cond_case("ip-bad-cidr", P_OPS, "an invalid CIDR in the policy can never satisfy an Allow", "implicitDeny", {"IpAddress": {IP: "203.0.113.0/99"}}, {IP: "203.0.113.5"})

# ---------------------------------------------------------------------------------------------
# P. ARN operators
# ---------------------------------------------------------------------------------------------
SA = "aws:SourceArn"
TOPIC = f"arn:aws:sns:us-east-1:{A}:topic1"
cond_case("arn-equals", P_OPS, "ArnEquals: exact ARN", "allowed", {"ArnEquals": {SA: TOPIC}}, {SA: TOPIC})
cond_case("arn-like-resource-wildcard", P_OPS, "ArnLike: wildcard in the resource segment", "allowed", {"ArnLike": {SA: f"arn:aws:sns:us-east-1:{A}:topic*"}}, {SA: TOPIC})
cond_case("arn-equals-wildcard", P_OPS, "ArnEquals and ArnLike behave identically, so ArnEquals honours wildcards", "allowed", {"ArnEquals": {SA: f"arn:aws:sns:*:{A}:*"}}, {SA: TOPIC})
cond_case("arn-like-region-wildcard", P_OPS, "ArnLike checks each of the six segments separately; `*` in the region segment", "allowed", {"ArnLike": {SA: f"arn:aws:sns:*:{A}:topic1"}}, {SA: TOPIC})
cond_case("arn-like-account-wildcard", P_OPS, "ArnLike: `*` in the account segment", "allowed", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app"}}, {}, principal=SESS)
cond_case("arn-like-case", P_OPS, "ARN matching is case-sensitive", "implicitDeny", {"ArnLike": {SA: f"arn:aws:sns:us-east-1:{A}:TOPIC1"}}, {SA: TOPIC})
cond_case("arn-notlike-match", P_OPS, "ArnNotLike: a matching ARN makes it false", "implicitDeny", {"ArnNotLike": {SA: f"arn:aws:sns:*:{A}:*"}}, {SA: TOPIC})
cond_case("arn-notlike-other", P_OPS, "ArnNotLike: a different ARN makes it true", "allowed", {"ArnNotLike": {SA: f"arn:aws:sns:*:{B}:*"}}, {SA: TOPIC})
cond_case("arn-like-missing", P_OPS, "ArnLike with aws:SourceArn absent (direct call) is false", "implicitDeny", {"ArnLike": {SA: f"arn:aws:sns:*:{A}:*"}}, {})
cond_case("arn-notequals-missing", P_OPS, "ArnNotEquals with the key absent is true (negated)", "allowed", {"ArnNotEquals": {SA: TOPIC}}, {})
cond_case("arn-like-ifexists-missing", P_OPS, "ArnLikeIfExists with the key absent is true", "allowed", {"ArnLikeIfExists": {SA: TOPIC}}, {})
cond_case("arn-like-segment-count", P_OPS, "ArnLike compares segment by segment: `*` in the region segment cannot absorb the account", "implicitDeny",
          {"ArnLike": {SA: "arn:aws:sns:*:topic1"}}, {SA: TOPIC})

# ---------------------------------------------------------------------------------------------
# Q. Set operators
# ---------------------------------------------------------------------------------------------
TK = "aws:TagKeys"
cond_case("set-all-subset", P_MULTI, "ForAllValues: every request value is in the policy set", "allowed", {"ForAllValues:StringEquals": {TK: ["a", "b", "c"]}}, {TK: ["a", "b"]})
cond_case("set-all-not-subset", P_MULTI, "ForAllValues: one request value outside the policy set makes it false", "implicitDeny", {"ForAllValues:StringEquals": {TK: ["a", "b", "c"]}}, {TK: ["a", "d"]})
cond_case("set-all-missing", P_MULTI, "ForAllValues returns true when the key is absent from the request", "allowed", {"ForAllValues:StringEquals": {TK: ["a", "b"]}}, {})
cond_case("set-all-empty", P_MULTI, "ForAllValues returns true for an empty set of request values", "allowed", {"ForAllValues:StringEquals": {TK: ["a", "b"]}}, {TK: []})
cond_case("set-any-one", P_MULTI, "ForAnyValue: at least one request value matches", "allowed", {"ForAnyValue:StringEquals": {TK: ["a", "b"]}}, {TK: ["x", "a"]})
cond_case("set-any-none", P_MULTI, "ForAnyValue: no request value matches", "implicitDeny", {"ForAnyValue:StringEquals": {TK: ["a", "b"]}}, {TK: ["x", "y"]})
cond_case("set-any-missing", P_MULTI, "ForAnyValue returns false when the key is absent", "implicitDeny", {"ForAnyValue:StringEquals": {TK: ["a", "b"]}}, {})
cond_case("set-any-empty", P_MULTI, "ForAnyValue returns false for an empty set", "implicitDeny", {"ForAnyValue:StringEquals": {TK: ["a", "b"]}}, {TK: []})
cond_case("set-all-like", P_MULTI, "ForAllValues:StringLike with a wildcard", "allowed", {"ForAllValues:StringLike": {TK: ["env-*"]}}, {TK: ["env-a", "env-b"]})
cond_case("set-any-deny", P_MULTI, "Deny with ForAnyValue:StringEquals applies when a forbidden tag key is present", "explicitDeny",
          {"ForAnyValue:StringEquals": {TK: ["owner"]}}, {TK: ["cost", "owner"]}, effect="Deny")
cond_case("set-all-deny-missing", P_MULTI, "a Deny with ForAllValues applies when the key is absent (ForAllValues is true)", "explicitDeny",
          {"ForAllValues:StringEquals": {TK: ["a"]}}, {}, effect="Deny")
cond_case("set-all-notequals", P_MULTI, "ForAllValues:StringNotEquals: true when no request value is in the policy list", "allowed",
          {"ForAllValues:StringNotEquals": {TK: ["a", "b"]}}, {TK: ["x", "y"]})
cond_case("set-all-notequals-one-listed", P_MULTI, "ForAllValues:StringNotEquals: false when one request value is listed", "implicitDeny",
          {"ForAllValues:StringNotEquals": {TK: ["a", "b"]}}, {TK: ["a", "y"]})
cond_case("set-any-notequals", P_MULTI, "ForAnyValue:StringNotEquals: true when some request value is not listed", "allowed",
          {"ForAnyValue:StringNotEquals": {TK: ["a", "b"]}}, {TK: ["a", "z"]})
cond_case("set-any-notequals-all-listed", P_MULTI, "ForAnyValue:StringNotEquals: false when every request value is listed", "implicitDeny",
          {"ForAnyValue:StringNotEquals": {TK: ["a", "b"]}}, {TK: ["a", "b"]})
cond_case("set-all-single-value", P_MULTI, "a single request value is a one-element set", "allowed", {"ForAllValues:StringEquals": {TK: ["a", "b"]}}, {TK: "a"})
cond_case("set-any-ignorecase", P_MULTI, "ForAnyValue:StringEqualsIgnoreCase ignores case", "allowed", {"ForAnyValue:StringEqualsIgnoreCase": {TK: ["Owner"]}}, {TK: ["OWNER"]})
cond_case("set-all-case", P_MULTI, "ForAllValues:StringEquals stays case-sensitive", "implicitDeny", {"ForAllValues:StringEquals": {TK: ["owner"]}}, {TK: ["Owner"]})
cond_case("set-any-arnlike", P_MULTI, "ForAnyValue works with ARN operators on multivalued keys", "allowed",
          {"ForAnyValue:ArnLike": {"aws:PrincipalOrgPaths": ["o-abc123/r-ab12/ou-ab12-11111111/*"]}}, {"aws:PrincipalOrgPaths": ["o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"]},
          ambiguous="ArnLike on org paths (not ARNs): AWS's own example uses ForAnyValue:StringLike; ARN-operator behaviour on non-ARN strings is not documented")

# ---------------------------------------------------------------------------------------------
# R. Policy variables
# ---------------------------------------------------------------------------------------------
HOME = "arn:aws:s3:::bucket/home/${aws:username}/*"
case("var-username", P_VARS, "${aws:username} is replaced by the IAM user's friendly name", "allowed",
     resource="arn:aws:s3:::bucket/home/alice/f.txt", identity=[pol(allow("s3:GetObject", HOME))])
case("var-username-other", P_VARS, "${aws:username} does not match another user's folder", "implicitDeny",
     resource="arn:aws:s3:::bucket/home/bob/f.txt", identity=[pol(allow("s3:GetObject", HOME))])
case("var-username-path", P_VARS, "aws:username is the friendly name, without the path", "allowed",
     principal=f"arn:aws:iam::{A}:user/division/alice", resource="arn:aws:s3:::bucket/home/alice/f.txt", identity=[pol(allow("s3:GetObject", HOME))])
case("var-username-role", P_VARS, "aws:username is not present for a role session, so the statement cannot match", "implicitDeny",
     principal=SESS, resource="arn:aws:s3:::bucket/home/app/f.txt", identity=[pol(allow("s3:GetObject", HOME))])
case("var-default-used", P_VARS, "a default value is used when the key is absent", "allowed",
     resource="arn:aws:s3:::bucket/shared/f.txt", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'shared'}/*"))])
case("var-default-not-used", P_VARS, "with the key present the default is not used", "implicitDeny",
     resource="arn:aws:s3:::bucket/shared/f.txt", principal_tags={"team": "blue"},
     identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'shared'}/*"))])
case("var-tag-value", P_VARS, "${aws:PrincipalTag/team} is replaced by the principal's tag value", "allowed",
     resource="arn:aws:s3:::bucket/blue/f.txt", principal_tags={"team": "blue"},
     identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"))])
case("var-tag-missing", P_VARS, "a tag variable with no tag and no default cannot match", "implicitDeny",
     resource="arn:aws:s3:::bucket/blue/f.txt", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"))])
case("var-default-username-role", P_VARS, "${aws:username, 'anon'} falls back for a role session", "allowed",
     principal=SESS, resource="arn:aws:s3:::bucket/home/anon/f.txt", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username, 'anon'}/*"))])
cond_case("var-in-condition", P_VARS, "variables work in String condition values", "allowed",
          {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "home/alice/docs"}, action="s3:ListBucket", resource=BUCKET)
cond_case("var-in-condition-other", P_VARS, "a variable in a condition value compares against the caller's value", "implicitDeny",
          {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "home/bob/docs"}, action="s3:ListBucket", resource=BUCKET)
cond_case("var-in-arn-condition", P_VARS, "variables work in ARN condition values", "allowed",
          {"ArnLike": {SA: "arn:aws:sns:*:${aws:PrincipalAccount}:*"}}, {SA: TOPIC})
case("var-version-2008", P_VERSION, "with Version 2008-10-17 policy variables are literal text", "implicitDeny",
     resource="arn:aws:s3:::bucket/home/alice/f.txt", identity=[pol(allow("s3:GetObject", HOME), version="2008-10-17")])
case("var-version-2008-literal-match", P_VERSION, "with Version 2008-10-17 `${aws:username}` matches only the literal text", "allowed",
     resource="arn:aws:s3:::bucket/home/${aws:username}/f.txt", identity=[pol(allow("s3:GetObject", HOME), version="2008-10-17")])
case("var-version-missing", P_VERSION, "without a Version element the 2008-10-17 rules apply: variables are literal", "implicitDeny",
     resource="arn:aws:s3:::bucket/home/alice/f.txt", identity=[pol(allow("s3:GetObject", HOME), version=None)])
case("var-star-literal", P_VARS, "${*} stands for a literal asterisk, not a wildcard", "implicitDeny",
     resource="arn:aws:s3:::bucket/abc", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${*}"))])
case("var-star-literal-match", P_VARS, "${*} matches a literal asterisk", "allowed",
     resource="arn:aws:s3:::bucket/*", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${*}"))])
case("var-qmark-literal", P_VARS, "${?} stands for a literal question mark", "implicitDeny",
     resource="arn:aws:s3:::bucket/a", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${?}"))])
case("var-dollar-literal", P_VARS, "${$} stands for a literal dollar sign", "allowed",
     resource="arn:aws:s3:::bucket/$5", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${$}5"))])
case("var-key-case", P_VARS, "key names are case-insensitive, also inside variables (`${AWS:USERNAME}`)", "allowed",
     resource="arn:aws:s3:::bucket/home/alice/f.txt", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${AWS:USERNAME}/*"))])
case("var-deny-missing-key", P_VARS, "a Deny whose Resource holds an unresolvable variable cannot match that resource", "allowed",
     principal=SESS, resource="arn:aws:s3:::bucket/home/x/f.txt",
     identity=[FULL, pol(deny("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username}/*"))])

# ---------------------------------------------------------------------------------------------
# S. Request-context keys the engine derives from the principal
# ---------------------------------------------------------------------------------------------
cond_case("ctx-principal-account", P_KEYS, "aws:PrincipalAccount is the caller's account id", "allowed", {"StringEquals": {"aws:PrincipalAccount": A}}, {})
cond_case("ctx-principal-arn-session", P_KEYS, "aws:PrincipalArn of a role session is the role ARN", "allowed", {"ArnEquals": {"aws:PrincipalArn": ROLE}}, {}, principal=SESS)
cond_case("ctx-principal-type-user", P_VARS, "aws:PrincipalType is 'User' for an IAM user", "allowed", {"StringEquals": {"aws:PrincipalType": "User"}}, {})
cond_case("ctx-principal-type-role", P_VARS, "aws:PrincipalType is 'AssumedRole' for a role session", "allowed", {"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, {}, principal=SESS)
cond_case("ctx-principal-type-root", P_VARS, "aws:PrincipalType is 'Account' for the root user", "explicitDeny", {"StringEquals": {"aws:PrincipalType": "Account"}}, {}, principal=ROOT, effect="Deny")
cond_case("ctx-is-aws-service-false", P_KEYS, "aws:PrincipalIsAWSService is present and false for an IAM user", "allowed", {"Bool": {"aws:PrincipalIsAWSService": "false"}}, {})
cond_case("ctx-username-user", P_VARS, "aws:username is present for IAM users", "allowed", {"StringEquals": {"aws:username": "alice"}}, {})
cond_case("ctx-caller-overrides", P_KEYS, "a value supplied in the request context is used (here aws:PrincipalOrgID)", "allowed", {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, {"aws:PrincipalOrgID": "o-abc123"})


# ---------------------------------------------------------------------------------------------
# T. Second, more adversarial round
# ---------------------------------------------------------------------------------------------
FED = f"arn:aws:sts::{A}:federated-user/fed1"
cond_case("multi-negated-values-and", "Creating a condition with multiple keys or values", "several values under a negated operator work like AND: StringNotEquals [A, B] is false for A", "implicitDeny",
          {"StringNotEquals": {"aws:PrincipalAccount": [A, B]}}, {})
cond_case("set-all-empty-string", P_MULTI, "ForAllValues also returns true when the key values resolve to a null data set such as an empty string", "allowed",
          {"ForAllValues:StringEquals": {TK: ["a", "b"]}}, {TK: ""})
cond_case("set-any-empty-string", P_MULTI, "ForAnyValue returns false for an empty data set (empty string)", "implicitDeny",
          {"ForAnyValue:StringEquals": {TK: ["a", "b"]}}, {TK: ""},
          ambiguous="the page defines the empty-data-set rule for ForAllValues (true) and for an empty list with ForAnyValue; an empty string with ForAnyValue is implied, not stated")
cond_case("ctx-current-time-present", P_KEYS, "aws:CurrentTime is in every request context", "allowed", {"DateGreaterThan": {CT: "2000-01-01T00:00:00Z"}}, {})
cond_case("ctx-epoch-time-present", P_KEYS, "aws:EpochTime is in every request context", "allowed", {"DateGreaterThan": {"aws:EpochTime": "946684800"}}, {})
cond_case("ctx-principal-arn-not-session", P_KEYS, "aws:PrincipalArn of a role session is the role ARN, so a pattern on the session ARN does not match", "implicitDeny",
          {"ArnLike": {"aws:PrincipalArn": f"arn:aws:sts::{A}:assumed-role/app/*"}}, {}, principal=SESS)
cond_case("ctx-principal-type-federated", P_VARS, "aws:PrincipalType is 'FederatedUser' for a GetFederationToken session", "allowed",
          {"StringEquals": {"aws:PrincipalType": "FederatedUser"}}, {}, principal=FED)
cond_case("ctx-userid-federated", P_VARS, "aws:userid of a federated user is account:caller-specified-name", "allowed",
          {"StringEquals": {"aws:userid": f"{A}:fed1"}}, {}, principal=FED)
cond_case("ctx-userid-root", P_VARS, "aws:userid of the root user is the account id", "explicitDeny",
          {"StringEquals": {"aws:userid": A}}, {}, principal=ROOT, effect="Deny")
cond_case("ctx-username-federated-missing", P_VARS, "aws:username is not present for a federated user", "implicitDeny",
          {"StringEquals": {"aws:username": "fed1"}}, {}, principal=FED)
case("ctx-anonymous-type", P_VARS, "aws:PrincipalType is 'Anonymous' for an anonymous caller", "allowed",
     principal="anonymous", resource_policy=pol({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJ,
                                                 "Condition": {"StringEquals": {"aws:PrincipalType": "Anonymous"}}}))
case("ctx-anonymous-userid", P_VARS, "aws:userid is 'anonymous' for an anonymous caller (principal key values table)", "allowed",
     ambiguous="the Variables page's principal table lists aws:userid 'anonymous' for anonymous callers, but the same page's default-value section and the global keys page say anonymous requests do not populate aws:userid",
     principal="anonymous", resource_policy=pol({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJ,
                                                 "Condition": {"StringEquals": {"aws:userid": "anonymous"}}}))
cond_case("var-deny-missing-in-condition", P_VARS, "a Deny whose condition value holds a variable that is not present cannot match (the statement is invalid)", "allowed",
          {"StringNotEquals": {"s3:prefix": "${aws:username}/"}}, {"s3:prefix": "x/"}, principal=SESS, effect="Deny")
case("var-before-fifth-colon", P_VARS, "a variable in Resource may only be used in the resource part of the ARN (after the fifth colon), never to replace the service, region or account", "implicitDeny",
     action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:queue1"))])  # D1 in docs/internal/engine-xcheck.md: fixed in the engine
case("var-two-variables", P_VARS, "several variables in one resource are all replaced", "allowed",
     resource="arn:aws:s3:::bucket/blue/alice/f.txt", principal_tags={"team": "blue"},
     identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/${aws:username}/*"))])
case("var-federated-username", P_VARS, "${aws:username} is not present for a federated user, so the statement cannot match", "implicitDeny",
     principal=FED, resource="arn:aws:s3:::bucket/home/fed1/f.txt", identity=[pol(allow("s3:GetObject", HOME))])
case("res-star-middle-spans-slash", P_RES, "a `*` in the middle of the resource part spans several `/` levels", "allowed",
     resource="arn:aws:s3:::bucket/a/b/key.txt", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::bucket/*/key.txt"))])
case("res-star-region-then-colon", P_RES, "a `*` ending the region segment can expand beyond the colon (`arn:aws:sqs:us-*:queue1`)", "allowed",
     action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage", "arn:aws:sqs:us-*:queue1"))],
     ambiguous="the Resource page says a trailing `*` of a segment 'can expand to match beyond the colon boundaries' but gives no example with later segments")
case("root-kms-key-policy-silent", P_KMS, "every principal, the root user included, can use a KMS key only if the key policy allows it", "implicitDeny",
     principal=ROOT, action="kms:Decrypt", resource=KEY,
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/keyadmin"}, "Action": "kms:*", "Resource": "*"}))
case("root-kms-key-policy-root", P_KMS, "a key policy allowing the account root lets the root user use the key", "allowed",
     principal=ROOT, action="kms:Decrypt", resource=KEY, resource_policy=KP_ROOT)
case("root-cross-account-no-grant", P_XACCT, "the root user's full access covers its own account; another account's resource needs its resource policy", "implicitDeny",
     principal=ROOT, action="sqs:SendMessage", resource=XRES)
case("root-cross-account-grant", P_XACCT, "cross-account root user with a grant to its account", "allowed",
     principal=ROOT, action="sqs:SendMessage", resource=XRES, resource_policy=rp_to({"AWS": ROOT}, "sqs:SendMessage", XRES))
case("root-resource-deny", P_EVAL, "an explicit Deny in a resource policy applies to the root user too", "explicitDeny",
     principal=ROOT, resource_policy=pol({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}))
case("root-mgmt-scp-exempt", P_SCP, "the management account root user is not restricted by SCPs", "allowed",
     principal=f"arn:aws:iam::{MGMT}:root", action="ec2:TerminateInstances", resource="*", scps=[[FULL, pol(deny())]], management_account_id=MGMT)
case("rcp-mgmt-principal-member-resource", P_RCP, "RCPs restrict access to member-account resources even from management-account principals", "explicitDeny",
     principal=f"arn:aws:iam::{MGMT}:user/admin", action="sqs:SendMessage", resource=QUEUE, identity=[FULL],
     resource_policy=rp_to({"AWS": f"arn:aws:iam::{MGMT}:user/admin"}, "sqs:SendMessage", QUEUE), rcps=[[pol(rdeny("sqs:*"))]], management_account_id=MGMT)
case("rcp-sns-unsupported", P_RCP, "SNS is not an RCP-supported service", "allowed",
     action="sns:Publish", resource=f"arn:aws:sns:us-east-1:{A}:topic1", identity=[FULL], rcps=[[pol(rdeny())]])
case("rcp-secretsmanager", P_RCP, "Secrets Manager is an RCP-supported service", "explicitDeny",
     action="secretsmanager:GetSecretValue", resource=f"arn:aws:secretsmanager:us-east-1:{A}:secret:db-AbCdEf", identity=[FULL], rcps=[[pol(rdeny("secretsmanager:*"))]])
case("rcp-service-assumes-slr", P_RCP, "RCPs do not affect AWS services assuming a service-linked role", "allowed",
     principal="elasticmapreduce.amazonaws.com", action="sts:AssumeRole", resource=SLR, resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"Service": "elasticmapreduce.amazonaws.com"}, "Action": "sts:AssumeRole"}),
     rcps=[[pol(rdeny("sts:*"))]])
case("trust-user-arn-same-account", P_EVAL, "same account: a trust policy naming the IAM user ARN explicitly allows it, and a user-ARN grant needs no identity Allow", "allowed",
     action="sts:AssumeRole", resource=ROLE_RES, resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"}))
case("trust-role-arn-boundary", P_EVAL, "a trust grant naming the caller's role ARN is limited by the caller's boundary", "implicitDeny",
     principal=SESS, action="sts:AssumeRole", resource=ROLE_RES, boundary=S3_ONLY, resource_policy_kind="trust",
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:AssumeRole"}))
case("xa-star-with-identity", P_XACCT, "cross-account: Principal `*` plus an identity Allow", "allowed",
     action="sqs:SendMessage", resource=XRES, identity=[FULL], resource_policy=rp_to("*", "sqs:SendMessage", XRES))
case("xa-star-no-identity", P_XACCT, "cross-account: Principal `*` without an identity Allow", "implicitDeny",
     action="sqs:SendMessage", resource=XRES, resource_policy=rp_to("*", "sqs:SendMessage", XRES))
case("xa-session-arn-grant", P_PRIN, "cross-account: a grant to the exact role session ARN plus an identity Allow", "allowed",
     principal=SESS, action="sqs:SendMessage", resource=XRES, identity=[FULL], resource_policy=rp_to({"AWS": SESS}, "sqs:SendMessage", XRES))
case("rp-account-root-boundary", P_BOUND, "same account: a grant to the account delegates to identity policies, which the boundary caps", "implicitDeny",
     identity=[FULL], boundary=EC2_ONLY, resource_policy=rp_to({"AWS": ROOT}))
case("rp-condition-fails", P_COND, "a resource-policy grant whose condition fails grants nothing", "implicitDeny",
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:GetObject", "Resource": OBJ,
                          "Condition": {"Bool": {"aws:SecureTransport": "true"}}}), context={"aws:SecureTransport": "false"})
case("core-empty-statement-list", P_EVAL, "a policy with no statements grants nothing", "implicitDeny", identity=[pol()])
case("scp-notaction-allow", P_SCP, "an SCP Allow with NotAction allows everything except the listed actions", "implicitDeny",
     action="iam:CreateUser", resource="*", identity=[FULL], scps=[[FULL], [pol(allow(NotAction=["iam:*"]))]])
case("scp-notaction-allow-other", P_SCP, "an SCP Allow with NotAction lets unlisted actions through", "allowed",
     identity=[FULL], scps=[[FULL], [pol(allow(NotAction=["iam:*"]))]])
cond_case("str-like-star-empty", P_OPS, "StringLike `*` matches an empty value", "allowed", {"StringLike": {"s3:prefix": "*"}}, {"s3:prefix": ""})
cond_case("num-decimal-policy", P_OPS, "NumericLessThan with a decimal policy value", "allowed", {"NumericLessThan": {MK: "10.5"}}, {MK: "10"}, action="s3:ListBucket", resource=BUCKET)
cond_case("num-negative", P_OPS, "NumericLessThan with negative numbers", "allowed", {"NumericLessThan": {MK: "0"}}, {MK: "-1"}, action="s3:ListBucket", resource=BUCKET)
cond_case("ip-v6-any", P_OPS, "`::/0` matches any IPv6 address", "allowed", {"IpAddress": {IP: "::/0"}}, {IP: "2001:db8::1"})
cond_case("ip-v4-any-not-v6", P_OPS, "`0.0.0.0/0` does not match an IPv6 address", "implicitDeny", {"IpAddress": {IP: "0.0.0.0/0"}}, {IP: "2001:db8::1"})


# ---------------------------------------------------------------------------------------------
# U. Third round: principals in Deny statements, derived keys, resource edge cases
# ---------------------------------------------------------------------------------------------
case("rp-deny-role-arn-covers-session", P_PRIN, "a resource-policy Deny naming the role ARN applies to the role's sessions", "explicitDeny",
     principal=SESS, identity=[FULL], resource_policy=pol({"Effect": "Deny", "Principal": {"AWS": ROLE}, "Action": "s3:*", "Resource": "*"}))
case("rp-deny-account-id-covers-users", P_PRIN, "a resource-policy Deny naming the account (id form) applies to its IAM users", "explicitDeny",
     identity=[FULL], resource_policy=pol({"Effect": "Deny", "Principal": {"AWS": A}, "Action": "s3:*", "Resource": "*"}))
case("rp-deny-account-root-covers-users", P_PRIN, "a resource-policy Deny naming the account root ARN applies to every principal of the account", "explicitDeny",
     principal=SESS, identity=[FULL], resource_policy=pol({"Effect": "Deny", "Principal": {"AWS": ROOT}, "Action": "s3:*", "Resource": "*"}))
case("rp-deny-other-account", P_PRIN, "a resource-policy Deny naming another account does not apply", "allowed",
     identity=[FULL], resource_policy=pol({"Effect": "Deny", "Principal": {"AWS": B}, "Action": "s3:*", "Resource": "*"}))
case("res-no-resource-level-action", P_RES, "an action without resource-level permissions is requested on `*`; a specific ARN in the policy does not cover it", "implicitDeny",
     action="s3:ListAllMyBuckets", resource="*", identity=[pol(allow("s3:ListAllMyBuckets", BUCKET))])
case("res-no-resource-level-star", P_RES, "an action without resource-level permissions is covered by Resource `*`", "allowed",
     action="s3:ListAllMyBuckets", resource="*", identity=[pol(allow("s3:ListAllMyBuckets", "*"))])
cond_case("arn-like-resource-part-colons", P_OPS, "ArnLike: the sixth component is the whole resource part, so `*` there spans later colons", "allowed",
          {"ArnLike": {SA: f"arn:aws:logs:us-east-1:{A}:log-group:*"}}, {SA: f"arn:aws:logs:us-east-1:{A}:log-group:g1:log-stream:s1"})
cond_case("arn-like-qmark", P_OPS, "ArnLike: `?` matches one character", "allowed", {"ArnLike": {SA: f"arn:aws:sns:us-east-?:{A}:topic1"}}, {SA: TOPIC})
cond_case("arn-like-not-an-arn", P_OPS, "ArnLike against a request value that is not an ARN does not match", "implicitDeny", {"ArnLike": {SA: "arn:aws:sns:*:*:*"}}, {SA: "not-an-arn"})
case("scp-allow-with-condition", P_SCP, "an SCP Allow may carry a condition; a request outside it has no Allow at that level", "implicitDeny",
     action="ec2:RunInstances", resource="*", context={"aws:RequestedRegion": "us-east-1"}, identity=[FULL],
     scps=[[FULL], [pol(allow(cond={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))]])
case("scp-allow-with-condition-ok", P_SCP, "an SCP Allow with a satisfied condition allows at that level", "allowed",
     action="ec2:RunInstances", resource="*", context={"aws:RequestedRegion": "eu-west-1"}, identity=[FULL],
     scps=[[FULL], [pol(allow(cond={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))]])
cond_case("ctx-resource-account", P_KEYS, "aws:ResourceAccount is the account that owns the resource", "allowed",
          {"StringEquals": {"aws:ResourceAccount": B}}, {}, action="sqs:SendMessage", resource=XRES,
          resource_policy=rp_to({"AWS": USER}, "sqs:SendMessage", XRES))
cond_case("ctx-root-principal-arn", P_KEYS, "aws:PrincipalArn of the root user is the account root ARN", "explicitDeny",
          {"ArnEquals": {"aws:PrincipalArn": ROOT}}, {}, principal=ROOT, effect="Deny")
case("ctx-service-name", P_KEYS, "aws:PrincipalServiceName is the service principal's name", "allowed",
     principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource="arn:aws:s3:::trail-bucket/x", resource_account=A,
     resource_policy=pol({"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail-bucket/*",
                          "Condition": {"StringEquals": {"aws:PrincipalServiceName": "cloudtrail.amazonaws.com"}}}))
case("ctx-is-aws-service-true", P_KEYS, "aws:PrincipalIsAWSService is true for a service principal", "allowed",
     principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource="arn:aws:s3:::trail-bucket/x", resource_account=A,
     resource_policy=pol({"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail-bucket/*",
                          "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}))
cond_case("ctx-external-principal-account", P_KEYS, "aws:PrincipalAccount of an external session is its own account", "allowed",
          {"StringEquals": {"aws:PrincipalAccount": B}}, {}, principal=EXT_SESS, resource_account=A,
          resource_policy=rp_to({"AWS": EXT_ROLE}))

cond_case("var-in-ignorecase", P_VARS, "variables work with StringEqualsIgnoreCase (a string operator)", "allowed",
          {"StringEqualsIgnoreCase": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "ALICE"})
cond_case("var-in-notequals", P_VARS, "variables work with negated string operators", "implicitDeny",
          {"StringNotEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "alice"})
cond_case("var-star-in-stringlike", P_VARS, "${*} inside a StringLike pattern is a literal asterisk while a bare `*` stays a wildcard", "allowed",
          {"StringLike": {"s3:prefix": "a${*}b*"}}, {"s3:prefix": "a*bcd"})
cond_case("var-star-in-stringlike-miss", P_VARS, "${*} inside a StringLike pattern does not match an arbitrary character", "implicitDeny",
          {"StringLike": {"s3:prefix": "a${*}b*"}}, {"s3:prefix": "axbcd"})
case("var-in-notresource", P_VARS, "variables are replaced in NotResource too: another user's folder is outside NotResource", "allowed",
     resource="arn:aws:s3:::bucket/home/bob/x", identity=[pol(allow("s3:GetObject", NotResource="arn:aws:s3:::bucket/home/${aws:username}/*"))])
case("var-in-notresource-own", P_VARS, "variables are replaced in NotResource too: the caller's own folder is excluded", "implicitDeny",
     resource="arn:aws:s3:::bucket/home/alice/x", identity=[pol(allow("s3:GetObject", NotResource="arn:aws:s3:::bucket/home/${aws:username}/*"))])
cond_case("set-any-notlike", P_MULTI, "ForAnyValue:StringNotLike: true when some request value does not match the pattern", "allowed",
          {"ForAnyValue:StringNotLike": {TK: ["a*"]}}, {TK: ["abc", "xyz"]})


def main() -> None:
    lines = [json.dumps(c, sort_keys=True, separators=(",", ":")) for c in CASES]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(CASES)} cases to {OUT}")


if __name__ == "__main__":
    main()
