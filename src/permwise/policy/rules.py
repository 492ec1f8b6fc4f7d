"""The registry of policy findings: every code that ``permwise validate`` can report, as data.

Codes are stable: a code is never reused for a different check. Groups:

- ``P0xx`` document (characters, size, Version, top-level shape)
- ``P1xx`` statement grammar (elements, Effect, Sid, Principal, Resource, Condition shape)
- ``P2xx`` rules of one policy type (SCP, RCP, trust policy)
- ``P3xx`` actions checked against the catalog
- ``P4xx`` resources checked against the catalog
- ``P5xx`` condition keys and operators checked against the catalog
- ``P6xx`` statements as a whole
"""

from __future__ import annotations

from permwise.policy.findings import Rule, RuleRegistry

_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_ORG = "https://docs.aws.amazon.com/organizations/latest/userguide/"
_SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"

GRAMMAR = "IAM JSON policy element reference"


def _r(id_: str, severity: str, name: str, title: str, description: str, reference: str, url: str) -> Rule:
    return Rule(id_, severity, name, title, description, reference, url)


POLICY_RULES = RuleRegistry()
POLICY_RULES.extend([
    # ---------------------------------------------------------------- document
    _r("P001", "error", "invalid-characters", "Policy contains characters AWS does not accept",
       "Policy documents may contain only tab, line feed, carriage return and the characters "
       "U+0020 to U+00FF; anything else (curly quotes, emoji, non-Latin-1 letters) is rejected.",
       "IAM and AWS STS quotas (IAM name requirements)", _IAM + "reference_iam-quotas.html"),
    _r("P002", "error", "size-limit", "Policy is larger than AWS allows for its type",
       "IAM counts policy size in characters without white space: managed policies and permissions "
       "boundaries 6,144, role inline policies 10,240 in total, user inline 2,048, group inline "
       "5,120, role trust policies 2,048 (default quota), session policies 2,048. AWS Organizations "
       "counts every character of an SCP or RCP, white space included, against 5,120.",
       "IAM and AWS STS quotas; Quotas and service limits for AWS Organizations",
       _IAM + "reference_iam-quotas.html"),
    _r("P003", "warning", "version-missing", "Policy has no Version element",
       "Without `\"Version\": \"2012-10-17\"` IAM processes the policy with the 2008-10-17 rules, "
       "where policy variables such as `${aws:username}` are plain text and never substituted.",
       "IAM JSON policy elements: Version", _IAM + "reference_policies_elements_version.html"),
    _r("P004", "error", "version-invalid", "Version is not a policy language version",
       "Version must be the date string `2012-10-17` (current) or `2008-10-17` (old); it is not "
       "the date of the policy.",
       "IAM JSON policy elements: Version", _IAM + "reference_policies_elements_version.html"),
    _r("P005", "warning", "version-old", "Version 2008-10-17 does not support policy variables",
       "The 2008-10-17 language version predates policy variables and newer features; use "
       "`2012-10-17`.",
       "IAM JSON policy elements: Version", _IAM + "reference_policies_elements_version.html"),
    _r("P006", "error", "unknown-top-level-element", "Unknown element at the top of the policy",
       "A policy document has only `Version`, `Id` and `Statement` at the top level; anything else "
       "is rejected (element names are case-sensitive).",
       GRAMMAR, _IAM + "reference_policies_elements.html"),
    _r("P007", "error", "statement-missing", "Policy has no Statement element",
       "Every policy needs a `Statement` element: one statement object or a list of them.",
       "IAM JSON policy elements: Statement", _IAM + "reference_policies_elements_statement.html"),
    _r("P008", "error", "statement-shape", "Statement is not an object or a list of objects",
       "`Statement` holds one statement object or a JSON array of statement objects.",
       "IAM JSON policy elements: Statement", _IAM + "reference_policies_elements_statement.html"),
    _r("P009", "warning", "statement-empty", "Policy has no statements",
       "An empty statement list grants and denies nothing.",
       "IAM JSON policy elements: Statement", _IAM + "reference_policies_elements_statement.html"),
    _r("P010", "error", "version-required", "SCPs and RCPs need Version 2012-10-17",
       "AWS Organizations requires every SCP and RCP to carry `\"Version\": \"2012-10-17\"`.",
       "SCP syntax; RCP syntax (Version element)", _ORG + "orgs_manage_policies_scps_syntax.html"),
    _r("P011", "error", "duplicate-key", "A key is given twice in one object",
       "JSON readers keep only one of two equal keys, silently and not all the same one: a "
       "statement with `\"Effect\": \"Deny\"` and later `\"Effect\": \"Allow\"` can be read as either. "
       "Keep each key once.",
       "RFC 8259 section 4 (object names SHOULD be unique); " + GRAMMAR, _IAM + "reference_policies_grammar.html"),
    # ---------------------------------------------------------------- statement grammar
    _r("P101", "error", "unknown-element", "Unknown element in a statement",
       "A statement may contain only Sid, Effect, Principal, NotPrincipal, Action, NotAction, "
       "Resource, NotResource and Condition; names are case-sensitive.",
       GRAMMAR, _IAM + "reference_policies_elements.html"),
    _r("P102", "error", "effect-invalid", "Effect is missing or not Allow or Deny",
       "Every statement needs `Effect` with exactly `Allow` or `Deny` (case-sensitive).",
       "IAM JSON policy elements: Effect", _IAM + "reference_policies_elements_effect.html"),
    _r("P103", "error", "element-type", "Element has the wrong JSON type",
       "Sid and Effect are strings; Action, NotAction, Resource and NotResource are a string or a "
       "list of strings; Principal is `\"*\"` or an object; Condition is an object.",
       GRAMMAR, _IAM + "reference_policies_grammar.html"),
    _r("P104", "error", "action-and-notaction", "Statement has both Action and NotAction",
       "A statement has either `Action` or `NotAction`, never both.",
       "IAM JSON policy elements: NotAction", _IAM + "reference_policies_elements_notaction.html"),
    _r("P105", "error", "action-missing", "Statement has neither Action nor NotAction",
       "Every statement must name the actions it applies to with `Action` or `NotAction`.",
       "IAM JSON policy elements: Action", _IAM + "reference_policies_elements_action.html"),
    _r("P106", "error", "resource-and-notresource", "Statement has both Resource and NotResource",
       "A statement has either `Resource` or `NotResource`, never both.",
       "IAM JSON policy elements: NotResource", _IAM + "reference_policies_elements_notresource.html"),
    _r("P107", "error", "resource-missing", "Statement has neither Resource nor NotResource",
       "Identity-based policies, permissions boundaries and session policies must say which "
       "resources a statement covers (`\"Resource\": \"*\"` for all).",
       "IAM JSON policy elements: Resource", _IAM + "reference_policies_elements_resource.html"),
    _r("P108", "error", "principal-forbidden", "Principal is not allowed in this policy type",
       "Identity-based policies, permissions boundaries, session policies and SCPs apply to the "
       "principal they are attached to; they cannot name a `Principal` or `NotPrincipal`.",
       "IAM JSON policy elements: Principal; SCP syntax",
       _IAM + "reference_policies_elements_principal.html"),
    _r("P109", "error", "principal-missing", "Principal is required in this policy type",
       "Resource-based policies, role trust policies and RCPs must say who the statement applies "
       "to with `Principal` (or `NotPrincipal` where supported).",
       "IAM JSON policy elements: Principal", _IAM + "reference_policies_elements_principal.html"),
    _r("P110", "error", "principal-and-notprincipal", "Statement has both Principal and NotPrincipal",
       "A statement has either `Principal` or `NotPrincipal`, never both.",
       "IAM JSON policy elements: NotPrincipal", _IAM + "reference_policies_elements_notprincipal.html"),
    _r("P111", "error", "notprincipal-unsupported", "NotPrincipal is not allowed here",
       "NotPrincipal works only with `Effect: Deny` in resource-based policies; role trust "
       "policies, identity-based policies, SCPs and RCPs do not support it.",
       "IAM JSON policy elements: NotPrincipal", _IAM + "reference_policies_elements_notprincipal.html"),
    _r("P112", "error", "principal-invalid", "Principal value is malformed",
       "Principal is `\"*\"` or an object whose keys are `AWS`, `Service`, `Federated` or "
       "`CanonicalUser`, each with a string or a list of strings; AWS values are `*`, a 12-digit "
       "account id or an IAM ARN.",
       "IAM JSON policy elements: Principal", _IAM + "reference_policies_elements_principal.html"),
    _r("P113", "error", "sid-invalid", "Sid contains characters other than letters and digits",
       "IAM accepts only ASCII letters and digits in a Sid (some services accept more in their own "
       "resource policies, so there it is reported as a warning).",
       "IAM JSON policy elements: Sid", _IAM + "reference_policies_elements_sid.html"),
    _r("P114", "error", "sid-duplicate", "Sid is used by more than one statement",
       "Statement ids must be unique within a policy.",
       "IAM JSON policy elements: Sid", _IAM + "reference_policies_elements_sid.html"),
    _r("P115", "error", "resource-in-trust-policy", "Trust policies cannot have Resource",
       "The resource of a role trust policy is the role itself; IAM rejects `Resource` and "
       "`NotResource` in it.",
       "IAM JSON policy elements: Principal (role trust policies)",
       _IAM + "reference_policies_elements_principal.html"),
    _r("P116", "error", "resource-invalid", "Resource is not an ARN or `*`",
       "Resource values are `*` or ARNs `arn:partition:service:region:account:resource`, with "
       "optional `*` and `?` wildcards and policy variables.",
       "IAM JSON policy elements: Resource", _IAM + "reference_policies_elements_resource.html"),
    _r("P117", "error", "action-invalid", "Action is not of the form service:action",
       "Action values are `*` or `service-prefix:ActionName` with optional `*` and `?` wildcards.",
       "IAM JSON policy elements: Action", _IAM + "reference_policies_elements_action.html"),
    _r("P118", "error", "element-empty", "Element is an empty list",
       "An empty Action, Resource or Principal list matches nothing; AWS rejects it.",
       GRAMMAR, _IAM + "reference_policies_grammar.html"),
    _r("P120", "error", "condition-shape", "Condition block is malformed",
       "Condition is an object of operators; each operator holds an object of condition keys; "
       "each key has a string, number, boolean or a non-empty list of them.",
       "IAM JSON policy elements: Condition", _IAM + "reference_policies_elements_condition.html"),
    _r("P121", "error", "condition-operator-unknown", "Unknown condition operator",
       "Operators are the documented String, Numeric, Date, Bool, Binary, IpAddress, Arn and Null "
       "families, optionally with `IfExists` and a `ForAllValues:`/`ForAnyValue:` prefix.",
       "IAM JSON policy elements: Condition operators",
       _IAM + "reference_policies_elements_condition_operators.html"),
    _r("P122", "warning", "condition-operator-case", "Condition operator is not spelled as documented",
       "Write operators exactly as AWS documents them (`StringEquals`, not `stringequals`).",
       "IAM JSON policy elements: Condition operators",
       _IAM + "reference_policies_elements_condition_operators.html"),
    _r("P123", "warning", "null-ifexists", "`Null` cannot be combined with IfExists",
       "`Null` already tests whether a key is present; `NullIfExists` is not an operator.",
       "IAM JSON policy elements: Condition operators",
       _IAM + "reference_policies_elements_condition_operators.html"),
    _r("P124", "warning", "condition-value-invalid", "Condition value does not fit the operator",
       "Bool takes `true`/`false`, Numeric takes numbers, Date takes ISO 8601 dates or epoch "
       "seconds, IpAddress takes IPv4/IPv6 addresses or CIDR blocks, Null takes `true`/`false`.",
       "IAM JSON policy elements: Condition operators",
       _IAM + "reference_policies_elements_condition_operators.html"),
    # ---------------------------------------------------------------- type rules
    _r("P202", "error", "rcp-principal", "RCP Principal must be `\"*\"`",
       "In resource control policies the Principal element must be `\"*\"`; narrow the principals "
       "with conditions such as `aws:PrincipalOrgID`.",
       "RCP syntax (Principal element)", _ORG + "orgs_manage_policies_rcps_syntax.html"),
    _r("P203", "error", "rcp-effect", "RCP statements must deny",
       "Only the AWS-managed `RCPFullAWSAccess` policy may use `Allow`; custom RCPs use `Deny`.",
       "RCP syntax (Effect element)", _ORG + "orgs_manage_policies_rcps_syntax.html"),
    _r("P204", "error", "rcp-notaction", "RCPs do not support NotAction",
       "The RCP element set is Version, Statement, Sid, Effect, Principal, Action, Resource, "
       "NotResource and Condition; NotAction and NotPrincipal are not supported.",
       "RCP syntax (Elements summary)", _ORG + "orgs_manage_policies_rcps_syntax.html"),
    _r("P205", "error", "rcp-service", "Action is from a service that RCPs do not support",
       "RCPs apply only to the services AWS lists as supporting them (Amazon S3, AWS STS, AWS KMS, "
       "Amazon SQS, AWS Secrets Manager and later additions); other actions are rejected.",
       "Resource control policies (RCPs): supported AWS services",
       _ORG + "orgs_manage_policies_rcps.html"),
    _r("P206", "warning", "trust-action", "Trust policy action is not a role-trust action",
       "A role trust policy controls who can assume the role: `sts:AssumeRole`, "
       "`sts:AssumeRoleWithSAML`, `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, "
       "`sts:SetSourceIdentity` and `sts:SetContext`; other actions have no effect there.",
       "IAM roles: role trust policy", _IAM + "id_roles_terms-and-concepts.html"),
    # ---------------------------------------------------------------- actions
    _r("P301", "error", "unknown-service", "Unknown service prefix",
       "The service prefix is not in the action catalog; the statement never matches that action.",
       "Service Authorization Reference", _SAR),
    _r("P302", "error", "unknown-action", "Unknown action",
       "The service has no action with this name; the statement never matches it.",
       "Service Authorization Reference", _SAR),
    _r("P303", "warning", "wildcard-matches-nothing", "Action wildcard matches no action",
       "The pattern matches no action of the service, so it has no effect.",
       "IAM JSON policy elements: Action", _IAM + "reference_policies_elements_action.html"),
    _r("P304", "error", "fused-actions", "Two action names are fused into one string",
       "A missing `\",\"` between list items (or a copy-paste error) joined two actions into one "
       "string that matches nothing.",
       "IAM JSON policy elements: Action", _IAM + "reference_policies_elements_action.html"),
    _r("P305", "error", "action-whitespace", "Action has leading or trailing white space",
       "White space is part of the value: `\" s3:GetObject\"` is not `s3:GetObject`.",
       "IAM JSON policy elements: Action", _IAM + "reference_policies_elements_action.html"),
    _r("P306", "error", "condition-key-as-action", "Condition key used as an action",
       "The value is a condition context key, not an action; conditions belong in a `Condition` "
       "block.",
       "IAM JSON policy elements: Condition", _IAM + "reference_policies_elements_condition.html"),
    _r("P307", "suggestion", "duplicate-action", "Action is listed twice",
       "The same action (compared case-insensitively) appears more than once in the statement.",
       "IAM JSON policy elements: Action", _IAM + "reference_policies_elements_action.html"),
    _r("P308", "suggestion", "redundant-action", "Action is already covered by a wildcard",
       "Every action this entry matches is also matched by another entry of the same statement.",
       "IAM JSON policy elements: Action", _IAM + "reference_policies_elements_action.html"),
    # ---------------------------------------------------------------- resources
    _r("P401", "warning", "resource-fits-no-action", "Resource fits none of the statement's actions",
       "The ARN matches no resource type of any action in the statement, so it never takes part in "
       "a match.",
       "Service Authorization Reference (resource types)", _SAR),
    _r("P402", "warning", "action-fits-no-resource", "Action matches none of the statement's resources",
       "None of the statement's resources is of a type the action works on; the statement never "
       "applies to this action.",
       "Service Authorization Reference (resource types)", _SAR),
    _r("P403", "warning", "wildcard-only-action-with-arn", "Action supports only `Resource: \"*\"`",
       "The action has no resource types, so AWS authorizes it against `*` only; a specific ARN "
       "never matches it.",
       "Service Authorization Reference (actions without resource types)", _SAR),
    _r("P404", "suggestion", "write-on-star", "Write action allowed on every resource",
       "The action supports resource-level permissions; scope `Resource` to the ARNs it needs.",
       "Security best practices in IAM (grant least privilege)", _IAM + "best-practices.html"),
    _r("P405", "warning", "resource-placeholder", "Resource contains a template placeholder",
       "`<account>` or `{AccountId}` is template text, not a value; AWS compares it literally. "
       "Policy variables are written `${...}`.",
       "IAM JSON policy elements: Resource", _IAM + "reference_policies_elements_resource.html"),
    # ---------------------------------------------------------------- conditions
    _r("P501", "warning", "unknown-condition-key", "Unknown condition key",
       "The key is neither a global `aws:` key nor a key of the named service; a missing key makes "
       "most operators false.",
       "AWS global condition context keys; Service Authorization Reference", _SAR),
    _r("P502", "warning", "condition-key-not-supported", "Condition key not supported by these actions",
       "None of the statement's actions supports the service-specific key, so it is never present "
       "in their requests.",
       "Service Authorization Reference (condition keys)", _SAR),
    _r("P503", "warning", "operator-key-type", "Operator does not fit the key's type",
       "The key's documented type (String, Numeric, Date, Bool, IPAddress, ARN) does not match the "
       "operator family.",
       "IAM JSON policy elements: Condition operators",
       _IAM + "reference_policies_elements_condition_operators.html"),
    _r("P504", "warning", "multivalued-key-without-set-operator", "Multivalued key without ForAllValues/ForAnyValue",
       "The key can carry several values; a plain operator compares them in a way that is rarely "
       "intended. Use `ForAnyValue:` or `ForAllValues:`.",
       "Single-valued vs. multivalued context keys", _IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html"),
    _r("P505", "warning", "set-operator-on-single-valued-key", "Set operator on a single-valued key",
       "`ForAllValues:`/`ForAnyValue:` are meant for multivalued keys; on a single-valued key "
       "`ForAllValues:` is also true when the key is missing.",
       "Single-valued vs. multivalued context keys", _IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html"),
    _r("P506", "warning", "variables-need-version", "Policy variables need Version 2012-10-17",
       "`${...}` policy variables are substituted only with `\"Version\": \"2012-10-17\"`; "
       "otherwise they are compared as literal text.",
       "IAM policy elements: Variables and tags", _IAM + "reference_policies_variables.html"),
    # ---------------------------------------------------------------- statements
    _r("P601", "warning", "statement-never-matches", "Statement can never match a request",
       "No action of the statement exists, or no action fits any of its resources: the statement "
       "has no effect.",
       "Policy evaluation logic", _IAM + "reference_policies_evaluation-logic.html"),
])


def rule(code: str) -> Rule:
    return POLICY_RULES[code]
