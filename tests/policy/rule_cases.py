"""One failing and one passing document per finding code, with the AWS rule each encodes.

Each case: ``(code, policy type, AWS doc page + the rule in our words, bad doc, good doc)``.
``test_rules.py`` checks that the bad doc yields the code and the good doc does not, and that
every registered code has a case here.
"""

from __future__ import annotations


def _p(*statements, version="2012-10-17"):
    doc = {"Statement": list(statements)}
    if version is not None:
        doc = {"Version": version, **doc}
    return doc


def _s(**kw):
    st = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}
    st.update(kw)
    return {k: v for k, v in st.items() if v is not None}


_TRUST = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
_RCP = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}}
_BUCKET = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject",
           "Resource": "arn:aws:s3:::bucket/*"}

CASES = [
    # ------------------------------------------------------------------ document
    ("P001", "identity", "IAM and AWS STS quotas: only tab, LF, CR and U+0020-U+00FF are allowed",
     _p(_s(Condition={"StringEquals": {"aws:PrincipalTag/team": "\u201cops\u201d"}})),
     _p(_s(Condition={"StringEquals": {"aws:PrincipalTag/team": "ops"}}))),
    ("P002", "identity", "IAM quotas: managed policies are at most 6,144 characters without white space",
     _p(_s(Action=["s3:GetObject"] * 500)), _p(_s())),
    ("P003", "identity", "IAM JSON policy elements: Version - without it the 2008-10-17 rules apply",
     _p(_s(), version=None), _p(_s())),
    ("P004", "identity", "IAM JSON policy elements: Version - only 2012-10-17 and 2008-10-17 exist",
     _p(_s(), version="2024-01-01"), _p(_s())),
    ("P005", "identity", "IAM JSON policy elements: Version - 2008-10-17 is the old language",
     _p(_s(), version="2008-10-17"), _p(_s())),
    ("P006", "identity", "IAM JSON policy reference: a policy has only Version, Id and Statement",
     {**_p(_s()), "statement": []}, {**_p(_s()), "Id": "policy1"}),
    ("P007", "identity", "IAM JSON policy elements: Statement is required",
     {"Version": "2012-10-17"}, _p(_s())),
    ("P008", "identity", "IAM JSON policy elements: Statement is an object or a list of objects",
     {"Version": "2012-10-17", "Statement": "s3:GetObject"}, {"Version": "2012-10-17", "Statement": _s()}),
    ("P009", "identity", "IAM JSON policy elements: Statement - an empty list grants nothing",
     _p(), _p(_s())),
    ("P010", "scp", "SCP syntax: every SCP must include Version 2012-10-17",
     _p(_s(Resource="*"), version=None), _p(_s(Resource="*"))),
    # ------------------------------------------------------------------ statement grammar
    ("P101", "identity", "IAM JSON policy reference: statement element names are case-sensitive",
     _p({**_s(), "action": "s3:PutObject"}), _p(_s())),
    ("P102", "identity", "IAM JSON policy elements: Effect is Allow or Deny",
     _p(_s(Effect="allow")), _p(_s(Effect="Allow"))),
    ("P103", "identity", "IAM policy grammar: Sid is a string",
     _p(_s(Sid=12)), _p(_s(Sid="Read"))),
    ("P104", "identity", "IAM JSON policy elements: NotAction - a statement has Action or NotAction, not both",
     _p(_s(NotAction="s3:PutObject")), _p(_s())),
    ("P105", "identity", "IAM JSON policy elements: Action - every statement names its actions",
     _p(_s(Action=None)), _p(_s())),
    ("P106", "identity", "IAM JSON policy elements: NotResource - Resource or NotResource, not both",
     _p(_s(NotResource="arn:aws:s3:::other/*")), _p(_s())),
    ("P107", "identity", "IAM JSON policy elements: Resource - identity policies must name resources",
     _p(_s(Resource=None)), _p(_s(Resource="*"))),
    ("P108", "identity", "IAM JSON policy elements: Principal - not used in identity-based policies",
     _p(_s(Principal={"AWS": "111122223333"})), _p(_s())),
    ("P109", "resource", "IAM JSON policy elements: Principal - required in resource-based policies",
     _p({k: v for k, v in _BUCKET.items() if k != "Principal"}), _p(_BUCKET)),
    ("P110", "resource", "IAM JSON policy elements: NotPrincipal - Principal or NotPrincipal, not both",
     _p({**_BUCKET, "Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}}), _p(_BUCKET)),
    ("P111", "trust", "IAM JSON policy elements: NotPrincipal - not supported in role trust policies",
     _p({**_TRUST, "Effect": "Deny", "Principal": None, "NotPrincipal": {"AWS": "111122223333"}}), _p(_TRUST)),
    ("P112", "resource", "IAM JSON policy elements: Principal - AWS values are *, account ids or IAM ARNs",
     _p({**_BUCKET, "Principal": {"AWS": "bob"}}), _p(_BUCKET)),
    ("P113", "identity", "IAM JSON policy elements: Sid - ASCII letters and digits only",
     _p(_s(Sid="read-objects")), _p(_s(Sid="ReadObjects"))),
    ("P114", "identity", "IAM JSON policy elements: Sid - unique within a policy",
     _p(_s(Sid="A"), _s(Sid="A", Action="s3:PutObject")), _p(_s(Sid="A"), _s(Sid="B", Action="s3:PutObject"))),
    ("P115", "trust", "Role trust policies: the resource is the role; Resource is rejected",
     _p({**_TRUST, "Resource": "*"}), _p(_TRUST)),
    ("P116", "identity", "IAM JSON policy elements: Resource - an ARN or *",
     _p(_s(Resource="bucket/*")), _p(_s())),
    ("P117", "identity", "IAM JSON policy elements: Action - service-prefix:ActionName",
     _p(_s(Action="GetObject")), _p(_s())),
    ("P118", "identity", "IAM policy grammar: an Action list must not be empty",
     _p(_s(Action=[])), _p(_s())),
    ("P120", "identity", "IAM JSON policy elements: Condition - operator -> key -> values",
     _p(_s(Condition={"StringEquals": "aws:RequestedRegion"})),
     _p(_s(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
    ("P121", "identity", "IAM condition operators: only the documented operators exist",
     _p(_s(Condition={"StringEqual": {"aws:RequestedRegion": "eu-west-1"}})),
     _p(_s(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
    ("P122", "identity", "IAM condition operators: write operators as documented",
     _p(_s(Condition={"stringequals": {"aws:RequestedRegion": "eu-west-1"}})),
     _p(_s(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
    ("P123", "identity", "IAM condition operators: Null already tests presence; no NullIfExists",
     _p(_s(Condition={"NullIfExists": {"aws:TokenIssueTime": "true"}})),
     _p(_s(Condition={"Null": {"aws:TokenIssueTime": "true"}}))),
    ("P124", "identity", "IAM condition operators: Bool takes true or false",
     _p(_s(Condition={"Bool": {"aws:SecureTransport": "yes"}})),
     _p(_s(Condition={"Bool": {"aws:SecureTransport": "true"}}))),
    # ------------------------------------------------------------------ type rules
    ("P202", "rcp", "RCP syntax: Principal must be \"*\"",
     _p({**_RCP, "Principal": {"AWS": "*"}}), _p(_RCP)),
    ("P203", "rcp", "RCP syntax: only RCPFullAWSAccess may Allow; custom RCPs deny",
     _p({**_RCP, "Effect": "Allow"}),
     _p({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})),
    ("P204", "rcp", "RCP syntax: NotAction is not supported",
     _p({**_RCP, "Action": None, "NotAction": "s3:GetObject"}), _p(_RCP)),
    ("P205", "rcp", "Resource control policies: only supported services (ec2 is not one)",
     _p({**_RCP, "Action": "ec2:RunInstances"}), _p(_RCP)),
    ("P206", "trust", "Role trust policy: controls sts:AssumeRole* and session actions only",
     _p({**_TRUST, "Action": ["sts:AssumeRole", "s3:GetObject"]}), _p({**_TRUST, "Action": ["sts:AssumeRole", "sts:TagSession"]})),
    # ------------------------------------------------------------------ actions
    ("P301", "identity", "Service Authorization Reference: Compute Optimizer's prefix is compute-optimizer",
     _p(_s(Action="computeoptimizer:Get*", Resource="*")), _p(_s(Action="compute-optimizer:Get*", Resource="*"))),
    ("P302", "identity", "Service Authorization Reference: S3 has PutEncryptionConfiguration, not PutEncryption",
     _p(_s(Action="s3:PutEncryption", Resource="arn:aws:s3:::bucket")),
     _p(_s(Action="s3:PutEncryptionConfiguration", Resource="arn:aws:s3:::bucket"))),
    ("P303", "identity", "IAM JSON policy elements: Action - a pattern that matches no action has no effect",
     _p(_s(Action="billing:View*", Resource="*")), _p(_s(Action="billing:Get*", Resource="*"))),
    ("P304", "identity", "IAM JSON policy elements: Action - one action per string",
     _p(_s(Action=["s3:GetObjects3:PutObject"])), _p(_s(Action=["s3:GetObject", "s3:PutObject"]))),
    ("P305", "identity", "IAM JSON policy elements: Action - white space is part of the value",
     _p(_s(Action=[" s3:GetObject"])), _p(_s(Action=["s3:GetObject"]))),
    ("P306", "identity", "IAM JSON policy elements: Condition - keys such as ec2:ResourceTag go in Condition",
     _p(_s(Action=["ec2:ResourceTag"], Resource="*")), _p(_s(Action=["ec2:StartInstances"], Resource="*",
                                                          Condition={"StringEquals": {"ec2:ResourceTag/env": "prod"}}))),
    ("P307", "identity", "IAM JSON policy elements: Action - an action listed twice adds nothing",
     _p(_s(Action=["s3:GetObject", "s3:getobject"])), _p(_s(Action=["s3:GetObject"]))),
    ("P308", "identity", "IAM JSON policy elements: Action - s3:Get* already matches s3:GetObject",
     _p(_s(Action=["s3:GetObject", "s3:Get*"])), _p(_s(Action=["s3:Get*"]))),
    # ------------------------------------------------------------------ resources
    ("P401", "identity", "Service Authorization Reference: s3:GetObject works on objects (bucket/key)",
     _p(_s(Resource=["arn:aws:s3:::bucket/*", "arn:aws:ec2:*:*:instance/*"])), _p(_s())),
    ("P402", "identity", "Service Authorization Reference: s3:ListBucket works on buckets, not objects",
     _p(_s(Action=["s3:GetObject", "s3:ListBucket"])),
     _p(_s(Action=["s3:GetObject", "s3:ListBucket"], Resource=["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]))),
    ("P403", "identity", "Service Authorization Reference: ec2:DescribeInstances has no resource types (only *)",
     _p(_s(Action=["ec2:StartInstances", "ec2:DescribeInstances"], Resource="arn:aws:ec2:*:*:instance/*")),
     _p(_s(Action=["ec2:StartInstances"], Resource="arn:aws:ec2:*:*:instance/*"))),
    ("P404", "identity", "IAM best practices: grant least privilege; iam:UpdateAssumeRolePolicy supports role ARNs",
     _p(_s(Action="iam:UpdateAssumeRolePolicy", Resource="*")),
     _p(_s(Action="iam:UpdateAssumeRolePolicy", Resource="arn:aws:iam::111122223333:role/app-*"))),
    ("P405", "identity", "IAM JSON policy elements: Resource - values are compared literally; variables are ${...}",
     _p(_s(Resource="arn:aws:s3:::<bucket>/*")), _p(_s(Resource="arn:aws:s3:::${aws:username}/*"))),
    # ------------------------------------------------------------------ conditions
    ("P501", "identity", "AWS global condition context keys: aws:SourceIP is spelled aws:SourceIp",
     _p(_s(Condition={"IpAddress": {"aws:SourceIPs": "10.0.0.0/8"}})),
     _p(_s(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))),
    ("P502", "identity", "Service Authorization Reference: kms:ViaService is not in S3 requests",
     _p(_s(Condition={"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}})),
     _p(_s(Condition={"StringEquals": {"s3:ExistingObjectTag/team": "ops"}}))),
    ("P503", "identity", "IAM condition operators: Numeric operators need Numeric keys",
     _p(_s(Condition={"NumericEquals": {"aws:RequestedRegion": "1"}})),
     _p(_s(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))),
    ("P504", "identity", "Single-valued vs. multivalued keys: use ForAnyValue/ForAllValues with aws:TagKeys",
     _p(_s(Condition={"StringEquals": {"aws:TagKeys": "team"}})),
     _p(_s(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}))),
    ("P505", "identity", "Single-valued vs. multivalued keys: ForAllValues on a single-valued key",
     _p(_s(Condition={"ForAllValues:StringEquals": {"aws:RequestedRegion": "eu-west-1"}})),
     _p(_s(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
    ("P506", "identity", "IAM policy variables: substituted only with Version 2012-10-17",
     _p(_s(Resource="arn:aws:s3:::home/${aws:username}/*"), version=None),
     _p(_s(Resource="arn:aws:s3:::home/${aws:username}/*"))),
    # ------------------------------------------------------------------ statements
    ("P601", "identity", "Policy evaluation logic: a statement with no existing action never matches",
     _p(_s(Action=["s3:Fetch", "s3:Store"])), _p(_s())),
]

#: Extra failing cases for rules whose behaviour differs by type (code, type, rule, bad doc);
#: ``type@attachment`` sets where an identity policy is attached.
EXTRA_BAD = [
    ("P108", "scp", "SCP syntax: Principal is not supported in SCPs", _p(_s(Principal="*", Resource="*"))),
    ("P111", "resource", "IAM JSON policy elements: NotPrincipal needs Effect Deny",
     _p({**_BUCKET, "Principal": None, "NotPrincipal": {"AWS": "111122223333"}})),
    ("P109", "rcp", "RCP syntax: Principal is required", _p({k: v for k, v in _RCP.items() if k != "Principal"})),
    ("P002", "scp", "Organizations quotas: SCPs count every character, white space included, against 5,120",
     _p(_s(Action=[f"s3:Get{'x' * 40}{i}" for i in range(120)], Resource="*"))),
    ("P001", "identity", "IAM quotas: control characters are not allowed (in-memory documents too)",
     _p(_s(Sid="Read\x01"))),
    ("P002", "identity@user", "IAM quotas: user inline policies are at most 2,048 characters",
     _p(_s(Action=[f"s3:GetObject{i}" for i in range(150)]))),
    ("P304", "identity", "IAM JSON policy elements: Action - a list typed inside one string is one unknown name",
     _p(_s(Action="s3:GetObject, s3:PutObject"))),
    ("P601", "identity", "IAM JSON policy elements: NotAction - `NotAction: *` leaves no action to match",
     _p(_s(Effect="Deny", Action=None, NotAction="*", Resource="*"))),
    ("P601", "identity", "IAM JSON policy elements: NotResource - `NotResource: *` leaves no resource to match",
     _p(_s(Resource=None, NotResource=["*"]))),
]
