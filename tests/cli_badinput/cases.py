"""The bad-input table: (argv, files to create, expected exit code, text expected in stderr).

Rule from the product brief: bad input (malformed JSON or YAML, wrong types, unknown actions,
huge files, missing files) gets a clear ONE-line error with its location and exit code 2; never a
traceback, never a half-written file. Exit 1 is only for findings at or above ``--fail-on``.

A case's ``files`` maps a path under the test's temporary directory to its content: ``str`` or
``bytes`` (written as is), ``dict``/``list`` (written as JSON), or one of the markers below.
``{t}`` in ``argv`` is that temporary directory. ``want`` must appear in the single stderr line;
``loc`` (when given) is the ``file:line:col`` (or ``file#pointer``) the line must name.
``aws`` names the AWS documentation rule a case encodes, where one applies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

GOOD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
REQ = ["--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject"]
CASE = {"request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"},
        "identity_policies": [GOOD]}
DEMO_CONFIG = """\
variables: {prefix: acme}
regions: [ap-southeast-2]
profiles:
  management: {account: "111111111111", principal: "arn:aws:iam::111111111111:role/RunbooksManagement"}
  billing:    {account: "222222222222", principal: "arn:aws:iam::222222222222:role/RunbooksBilling"}
  operations: {account: "333333333333", principal: "arn:aws:iam::333333333333:role/RunbooksOperations"}
  workload:   {account: "444444444444", principal: "arn:aws:iam::444444444444:role/RunbooksWorkload"}
"""
AUTH = "snap/accounts/444444444444/authorization-details.json"
MB50 = 50 * 1024 * 1024


class Marker:
    """A non-literal file spec."""


@dataclass(frozen=True)
class Dir(Marker):
    """Create a directory."""


@dataclass(frozen=True)
class Sparse(Marker):
    """A file of ``size`` zero bytes (sparse, so a 50 MB case costs nothing)."""

    size: int


@dataclass(frozen=True)
class Snapshot(Marker):
    """A copy of the bundled demo snapshot."""


@dataclass(frozen=True)
class Delete(Marker):
    """Remove the path (file or directory) created by an earlier entry."""


@dataclass(frozen=True)
class Edit(Marker):
    """Load the JSON file at the path, apply ``how`` (a name in tests.cli_badinput.test_badinput.EDITS), save."""

    how: str


@dataclass(frozen=True)
class Fifo(Marker):
    """A named pipe (stands in for a device such as /dev/null as an output target)."""


@dataclass(frozen=True)
class Replace(Marker):
    """Remove what is at the path (if anything), then create ``spec`` there."""

    spec: Any


@dataclass(frozen=True)
class Symlink(Marker):
    """A symbolic link to ``target`` (e.g. ``/dev/zero``)."""

    target: str


@dataclass
class Case:
    id: str
    argv: list[str]
    code: int
    want: str = ""
    files: dict[str, Any] = field(default_factory=dict)
    loc: str | None = None
    stdin: bytes | None = None
    unchanged: tuple[str, ...] = ()   # files that must keep their content
    absent: tuple[str, ...] = ()      # paths that must not exist afterwards
    aws: str = ""
    out: str = ""                     # text that must appear on stdout (verbs that list problems there)


def _policy_file_cases(verb: list[str], tag: str) -> list[Case]:
    """The same broken files fed to every verb that reads one policy file."""
    v = [*verb, "{t}/p.json"]
    return [
        Case(f"{tag}-missing", v, 2, "no such file", loc="p.json"),
        Case(f"{tag}-directory", [*verb, "{t}/p.json"], 2, "directory", files={"p.json": Dir()}),
        Case(f"{tag}-empty", v, 2, "file is empty", files={"p.json": ""}, loc="p.json"),
        Case(f"{tag}-whitespace-only", v, 2, "file is empty", files={"p.json": "  \n\n"}),
        Case(f"{tag}-bom", v, 2, "byte order mark", files={"p.json": b"\xef\xbb\xbf" + b'{"Statement": []}'},
             loc="p.json:1:1", aws="IAM User Guide, IAM JSON policy grammar: a policy is UTF-8 JSON text"),
        Case(f"{tag}-truncated", v, 2, "truncated", files={"p.json": '{"Version": "2012-10-17", "Statement": [{"Effect":'},
             loc="p.json:1:"),
        Case(f"{tag}-binary", v, 2, "not valid UTF-8", files={"p.json": bytes(range(256)) * 4},
             loc="p.json:2:118"),
        Case(f"{tag}-latin1", v, 2, "not valid UTF-8", files={"p.json": '{"Sid": "caf\xe9"}'.encode("latin-1")},
             loc="p.json:1:"),
        Case(f"{tag}-huge", v, 2, "too large", files={"p.json": Sparse(MB50)}, loc="p.json",
             aws="IAM and AWS STS quotas: a managed policy is at most 6,144 characters"),
        Case(f"{tag}-top-list", v, 2, "", files={"p.json": [GOOD]}, loc="p.json"),
        Case(f"{tag}-top-string", v, 2, "", files={"p.json": '"s3:GetObject"'}, loc="p.json"),
        Case(f"{tag}-top-number", v, 2, "", files={"p.json": "42"}, loc="p.json"),
        Case(f"{tag}-yaml-tab", [*verb, "{t}/p.yaml"], 2, "tabs", files={"p.yaml": "Version: 2012-10-17\nStatement:\n\t- Effect: Allow\n"},
             loc="p.yaml:3:1"),
        Case(f"{tag}-yaml-unclosed-quote", [*verb, "{t}/p.yaml"], 2, "invalid YAML",
             files={"p.yaml": 'Version: "2012-10-17\nStatement: []\n'}, loc="p.yaml:"),
    ]


_WRONG_TYPES = [
    # (id, document, message part, pointer line:col in the one-line JSON written)
    ("statement-number", {"Version": "2012-10-17", "Statement": 5}, "`Statement` must be", "/Statement"),
    ("action-dict", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": {"s3": "GetObject"}, "Resource": "*"}]},
     "`Action` must be a string or a list of strings", "/Statement/0/Action"),
    ("version-number", {"Version": 20121017, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
     "not a policy language version", "/Version"),
    ("condition-string", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                                                                  "Condition": {"StringEquals": "x"}}]},
     "must hold an object of condition keys", "/Statement/0/Condition/StringEquals"),
]
_GRAMMAR = "IAM JSON policy element reference / grammar: Version is a string date, Statement an object or list, Action a string or list of strings, a condition operator maps keys to values"


def _simulate_cases() -> list[Case]:
    out = _policy_file_cases(["simulate", *REQ, "-i"], "simulate-identity")
    for name, doc, msg, _ptr in _WRONG_TYPES:
        out.append(Case(f"simulate-wrong-type-{name}", ["simulate", *REQ, "-i", "{t}/p.json"], 2, msg,
                        files={"p.json": doc}, loc="p.json:1:", aws=_GRAMMAR))
        out.append(Case(f"simulate-scp-wrong-type-{name}", ["simulate", *REQ, "--scp", "{t}/p.json"], 2, msg,
                        files={"p.json": doc}, loc="p.json:1:", aws=_GRAMMAR))
    out += [
        Case("simulate-json-case-missing", ["simulate", "--json", "{t}/c.json"], 2, "no such file", loc="c.json"),
        Case("simulate-json-case-list", ["simulate", "--json", "{t}/c.json"], 2, "a case must be a JSON object",
             files={"c.json": [CASE]}, loc="c.json"),
        Case("simulate-json-case-no-request", ["simulate", "--json", "{t}/c.json"], 2, "missing `request`",
             files={"c.json": {"identity_policies": [GOOD]}}, loc="c.json"),
        Case("simulate-json-empty-stdin", ["simulate", "--json", "-"], 2, "file is empty", stdin=b"", loc="<stdin>"),
        Case("simulate-principal-not-a-principal", ["simulate", "--principal", "bob", "--action", "s3:GetObject"], 2,
             "is not a principal AWS could send"),
        Case("simulate-action-without-service", ["simulate", "--principal", "arn:aws:iam::111122223333:user/alice",
                                                  "--action", "GetObject"], 2, "is not an action"),
        Case("simulate-jsonl-empty-stdin", ["simulate", "--jsonl", "-"], 2, "no cases", stdin=b"", loc="<stdin>"),
        Case("simulate-jsonl-blank-only", ["simulate", "--jsonl", "{t}/c.jsonl", "-o", "{t}/r.jsonl"], 2, "no cases",
             files={"c.jsonl": "\n \n"}, absent=("r.jsonl",)),
        Case("simulate-jsonl-binary-stdin", ["simulate", "--jsonl", "-"], 2, "not valid UTF-8", stdin=b"\xff\xfe\n",
             loc="<stdin>:1:1"),
        Case("simulate-jsonl-directory", ["simulate", "--jsonl", "{t}/d"], 2, "directory", files={"d": Dir()}),
        Case("simulate-jsonl-output-unwritable", ["simulate", "--jsonl", "{t}/c.jsonl", "-o", "/proc/permwise-x/r.jsonl"],
             2, "cannot write", files={"c.jsonl": json.dumps(CASE) + "\n"}, loc="/proc/permwise-x/r.jsonl"),
        Case("simulate-context-not-pair", ["simulate", *REQ, "--context", "aws:SourceIp"], 2, "must be KEY=VALUE"),
        Case("simulate-context-bad-list", ["simulate", *REQ, "--context", "aws:TagKeys=[1,"], 2, "not a JSON list"),
        Case("simulate-missing-action", ["simulate", "--principal", "arn:aws:iam::111122223333:user/a"], 2,
             "`--principal` and `--action` are required"),
        Case("simulate-unknown-format", ["simulate", *REQ, "--format", "yaml"], 2, "'yaml' is not one of"),
        Case("simulate-conflict-json-jsonl", ["simulate", "--json", "{t}/c.json", "--jsonl", "{t}/c.json"], 2,
             "cannot be used together", files={"c.json": CASE}),
        Case("simulate-conflict-json-principal", ["simulate", "--json", "{t}/c.json", "--principal", "x"], 2,
             "`--principal` cannot be used with `--json`", files={"c.json": CASE}),
        Case("simulate-conflict-jsonl-policy", ["simulate", "--jsonl", "{t}/c.json", "-i", "{t}/c.json"], 2,
             "`--identity-policy` cannot be used with `--jsonl`", files={"c.json": CASE}),
        Case("simulate-conflict-output-without-jsonl", [*["simulate", *REQ], "-o", "{t}/r.jsonl"], 2,
             "`--output` writes `--jsonl` results only", absent=("r.jsonl",)),
        Case("simulate-conflict-trust-and-resource", ["simulate", *REQ, "--trust-policy", "{t}/p.json",
                                                      "--resource-policy", "{t}/p.json"], 2,
             "cannot be used together", files={"p.json": GOOD}),
        Case("simulate-option-without-value", ["simulate", "--principal"], 2, "requires an argument"),
    ]
    return out


_MANIFEST = """\
manifest: 1
tool: {name: mini, version: "1", description: a tool, source: test}
profiles:
  main: {description: the account, account_kind: member}
commands:
  - id: x.read
    name: x read
    group: x
    profile: main
    access: read
    description: read
    scp_risk: {level: low, reason: reads}
    permissions:
      - actions: [s3:ListAllMyBuckets]
        resources: ["*"]
        justification: list buckets
"""


def _manifest_cases() -> list[Case]:
    out: list[Case] = []
    bad = {
        "commands-string": (_MANIFEST.split("commands:")[0] + "commands: x.read\n", "`commands`", "m.yaml:5:"),
        "actions-dict": (_MANIFEST.replace("[s3:ListAllMyBuckets]", "{s3: ListAllMyBuckets}"), "`actions`", "m.yaml:14:18"),
        "unknown-action": (_MANIFEST.replace("s3:ListAllMyBuckets", "s3:ListAllMyBucketz"), "unknown action `s3:ListAllMyBucketz`",
                           "m.yaml:14:19"),
        "undeclared-profile": (_MANIFEST.replace("profile: main", "profile: other"), "undeclared profile `other`", "m.yaml:9:"),
        "unknown-variable": (_MANIFEST.replace('resources: ["*"]', 'resources: ["arn:aws:s3:::{nosuch}"]'),
                             "unknown variable", "m.yaml:15:21"),
        "tab": (_MANIFEST.replace("  main:", "\tmain:"), "tabs", "m.yaml:4:"),
    }
    for name, (text, want, loc) in bad.items():
        for verb in (["generate"], ["docs"], ["manifest", "show"]):
            out.append(Case(f"{'-'.join(verb)}-manifest-{name}", [*verb, "{t}/m.yaml"], 2, want,
                            files={"m.yaml": text}, loc=loc))
    out += [
        Case("manifest-validate-missing", ["manifest", "validate", "{t}/m.yaml"], 2, "no such file", loc="m.yaml"),
        Case("generate-unknown-bundled-name", ["generate", "nosuchtool"], 2, "unknown manifest `nosuchtool`"),
        Case("generate-unknown-profile", ["generate", "runbooks", "--profile", "nosuch"], 2, "no profile `nosuch`"),
        Case("generate-unknown-command", ["generate", "runbooks", "--commands", "nosuch"], 2, "no command of `runbooks`"),
        Case("generate-unknown-format", ["generate", "runbooks", "--format", "xml"], 2, "'xml' is not one of"),
        Case("docs-unknown-format", ["docs", "runbooks", "--format", "html"], 2, "'html' is not one of"),
        Case("manifest-no-subcommand-arg", ["manifest", "show"], 2, "missing argument"),
    ]
    return out


def _config_cases() -> list[Case]:
    cfgs = {
        "profiles-list": ("profiles: [management]\n", "`profiles`", "c.yaml:1:"),
        "account-unquoted": ('profiles:\n  management: {account: 111111111111}\n', "quoted 12-digit string", "c.yaml:2:"),
        "account-short": ('profiles:\n  management: {account: "1234"}\n', "not 12 digits", "c.yaml:2:"),
        "regions-string": ("regions: ap-southeast-2\n", "`regions`", "c.yaml:1:"),
        "unknown-key": ("profile: {}\n", "unknown field `profile`", "c.yaml:1:"),
        "top-list": ("- a\n", "must be a mapping", "c.yaml:1:1"),
    }
    aws_ids = "AWS Account Management Reference Guide, viewing account identifiers: an account ID is a 12-digit number (a string; leading zeros matter)"
    out: list[Case] = []
    for name, (text, want, loc) in cfgs.items():
        out.append(Case(f"generate-config-{name}", ["generate", "runbooks", "--config", "{t}/c.yaml"], 2, want,
                        files={"c.yaml": text}, loc=loc, aws=aws_ids if "account" in name else ""))
        out.append(Case(f"check-config-{name}", ["check", "runbooks", "--env", "{t}/snap", "--config", "{t}/c.yaml"], 2,
                        want, files={"snap": Snapshot(), "c.yaml": text}, loc=loc, aws=aws_ids if "account" in name else ""))
    out.append(Case("generate-config-missing", ["generate", "runbooks", "--config", "{t}/c.yaml"], 2, "no such file",
                    loc="c.yaml"))
    out.append(Case("generate-config-empty", ["generate", "runbooks", "--config", "{t}/c.yaml"], 2, "file is empty",
                    files={"c.yaml": ""}, loc="c.yaml"))
    return out


def _out_cases() -> list[Case]:
    return [
        Case("generate-out-existing-no-force", ["generate", "runbooks", "--out", "{t}/o"], 2, "refusing to overwrite",
             files={"o/runbooks-billing.json": "keep me\n"}, unchanged=("o/runbooks-billing.json",),
             absent=("o/runbooks-management-1.json",)),
        Case("generate-out-is-a-file", ["generate", "runbooks", "--out", "{t}/o"], 2, "must be a directory",
             files={"o": "keep me\n"}, unchanged=("o",), loc="o"),
        Case("generate-out-unwritable", ["generate", "runbooks", "--out", "/proc/permwise-x"], 2, "cannot write",
             loc="/proc/permwise-x/"),
        Case("docs-out-existing-no-force", ["docs", "runbooks", "--out", "{t}/r.md"], 2, "refusing to overwrite",
             files={"r.md": "keep me\n"}, unchanged=("r.md",)),
        Case("docs-out-directory-force", ["docs", "runbooks", "--out", "{t}/d", "--force"], 2, "is a directory",
             files={"d": Dir()}, loc="d"),
        Case("docs-out-device-force", ["docs", "runbooks", "--out", "{t}/fifo", "--force"], 2, "not a regular file",
             files={"fifo": Fifo()}, loc="fifo"),
        Case("docs-out-unwritable", ["docs", "runbooks", "--out", "/proc/permwise-x.md"], 2, "cannot write",
             loc="/proc/permwise-x.md"),
        Case("check-out-unwritable", ["check", "--out", "/proc/permwise-x.txt"], 2, "cannot write",
             loc="/proc/permwise-x.txt"),
        Case("check-out-directory", ["check", "--format", "json", "--out", "{t}/d"], 2, "is a directory",
             files={"d": Dir()}),
        Case("audit-out-unwritable", ["audit", "--format", "json", "--out", "/proc/permwise-x.json"], 2, "cannot write",
             loc="/proc/permwise-x.json"),
        Case("audit-out-directory", ["audit", "--format", "json", "--out", "{t}/d"], 2, "is a directory",
             files={"d": Dir()}),
    ]


def _snapshot_cases() -> list[Case]:
    env = ["--env", "{t}/snap"]
    checks = [["check", "runbooks", *env, "--config", "{t}/c.yaml"], ["audit", *env],
              ["who-can-assume", "arn:aws:iam::444444444444:role/RunbooksWorkload", *env]]
    broken: list[tuple[str, dict[str, Any], str, str | None]] = [
        ("missing-dir", {}, "no such snapshot directory", "snap"),
        ("file-not-dir", {"snap": "x"}, "a snapshot is a directory", "snap"),
        ("no-organization-json", {"snap": Snapshot(), "snap/organization/organization.json": Delete()},
         "missing `organization/organization.json`", "snap/organization/organization.json"),
        ("no-accounts-json", {"snap": Snapshot(), "snap/organization/accounts.json": Delete()},
         "missing `organization/accounts.json`", "snap/organization/accounts.json"),
        ("truncated-authorization-details", {"snap": Snapshot(), AUTH: Edit("truncate")}, "truncated",
         "authorization-details.json:"),
        ("empty-authorization-details", {"snap": Snapshot(), AUTH: ""}, "file is empty", "authorization-details.json"),
        ("binary-authorization-details", {"snap": Snapshot(), AUTH: b"\x00\xff" * 100}, "not valid UTF-8",
         "authorization-details.json:1:"),
        ("huge-authorization-details", {"snap": Snapshot(), AUTH: Sparse(MB50)}, "invalid JSON",
         "authorization-details.json:1:1"),
        ("not-authorization-details", {"snap": Snapshot(), AUTH: GOOD}, "not the output of `aws iam get-account-authorization-details`",
         "authorization-details.json:1:1"),
        ("role-list-string", {"snap": Snapshot(), AUTH: Edit("roles-string")}, "`RoleDetailList` must be a list",
         "authorization-details.json:"),
        ("role-number", {"snap": Snapshot(), AUTH: Edit("role-number")}, "expected an object",
         "authorization-details.json:"),
        ("scp-content-truncated", {"snap": Snapshot(), "snap/organization/policies/p-FullAWSAccess.json": Edit("scp-truncate")},
         "not valid JSON", "p-FullAWSAccess.json:"),
        ("snapshot-json-list", {"snap": Snapshot(), "snap/snapshot.json": []}, "expected an object", "snapshot.json:1:1"),
        ("snapshot-format-unknown", {"snap": Snapshot(), "snap/snapshot.json": {"format": "permwise-snapshot/9"}},
         "unsupported snapshot format", "snapshot.json:1:"),
    ]
    out = []
    for name, files, want, loc in broken:
        for argv in checks:
            out.append(Case(f"{argv[0]}-snapshot-{name}", argv, 2, want, files={**files, "c.yaml": DEMO_CONFIG}, loc=loc))
    return out


def _misc_cases() -> list[Case]:
    sup = "suppressions:\n  - {rule: IAM-EC2-6, subject: '*', reason: ok, expires: 2099-12-31}\n"
    return [
        # validate: every broken file is its own one line, exit 2
        *_policy_file_cases(["validate"], "validate"),
        Case("validate-empty-stdin", ["validate", "-"], 2, "file is empty", stdin=b"", loc="<stdin>"),
        Case("validate-stdin-twice", ["validate", "-", "-"], 2, "read only once", stdin=b"{}"),
        Case("validate-empty-directory", ["validate", "{t}/d"], 2, "no .json, .yaml or .yml files", files={"d": Dir()}),
        Case("validate-unknown-type", ["validate", "--type", "nope", "{t}/p.json"], 2, "'nope' is not one of",
             files={"p.json": GOOD}),
        Case("validate-unknown-fail-on", ["validate", "--fail-on", "fatal", "{t}/p.json"], 2, "'fatal' is not one of",
             files={"p.json": GOOD}),
        Case("validate-no-files", ["validate"], 2, "missing argument"),
        # validate: wrong types inside a readable policy are findings (exit 1), not unreadable input
        *[Case(f"validate-wrong-type-{n}", ["validate", "{t}/p.json"], 1, files={"p.json": d}, aws=_GRAMMAR)
          for n, d, _m, _p in _WRONG_TYPES],
        Case("validate-unknown-action-finding", ["validate", "{t}/p.json"], 1,
             files={"p.json": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}},
             aws="Service Authorization Reference: an action exists only if the service lists it"),
        # check / audit options
        Case("check-unknown-format", ["check", "--format", "xml"], 2, "'xml' is not one of"),
        Case("check-unknown-fail-on", ["check", "--fail-on", "high"], 2, "'high' is not one of"),
        Case("check-env-without-config", ["check", "runbooks", "--env", "{t}/snap"], 2, "missing --config",
             files={"snap": Snapshot()}),
        Case("check-unknown-profile", ["check", "runbooks", "--env", "{t}/snap", "--config", "{t}/c.yaml", "--profile", "nope"],
             2, "no profile `nope`", files={"snap": Snapshot(), "c.yaml": DEMO_CONFIG}),
        Case("check-unknown-manifest", ["check", "nosuchtool", "--env", "{t}/snap", "--config", "{t}/c.yaml"], 2,
             "unknown manifest", files={"snap": Snapshot(), "c.yaml": DEMO_CONFIG}),
        Case("audit-unknown-format", ["audit", "--format", "xml"], 2, "'xml' is not one of"),
        Case("audit-unknown-fail-on", ["audit", "--fail-on", "blocked"], 2, "'blocked' is not one of"),
        Case("audit-config-list", ["audit", "--config", "{t}/a.yaml"], 2, "must be a mapping", files={"a.yaml": "- x\n"},
             loc="a.yaml:1:1"),
        Case("audit-config-unknown-key", ["audit", "--config", "{t}/a.yaml"], 2, "extra inputs",
             files={"a.yaml": "audit: 1\nauthorised: {}\n"}, loc="a.yaml:2:"),
        Case("audit-config-unquoted-account-key", ["audit", "--config", "{t}/a.yaml"], 2, "must be a quoted string",
             files={"a.yaml": "audit: 1\nexternal_accounts:\n  999988887777: vendor\n"}, loc="a.yaml:3:"),
        Case("audit-suppressions-missing", ["audit", "--suppressions", "{t}/s.yaml"], 2, "no such file", loc="s.yaml"),
        Case("audit-suppressions-string", ["audit", "--suppressions", "{t}/s.yaml"], 2, "must be a mapping",
             files={"s.yaml": "IAM-*\n"}, loc="s.yaml:1:1"),
        Case("audit-suppressions-no-reason", ["audit", "--suppressions", "{t}/s.yaml"], 2, "field required",
             files={"s.yaml": sup.replace("reason: ok, ", "")}, loc="s.yaml:2:"),
        Case("audit-suppressions-bad-date", ["audit", "--suppressions", "{t}/s.yaml"], 2, "valid date",
             files={"s.yaml": sup.replace("2099-12-31", '"31/12/2099"')}, loc="s.yaml:2:"),
        Case("audit-suppressions-unknown-rule", ["audit", "--suppressions", "{t}/s.yaml"], 2, "matches no audit rule",
             files={"s.yaml": sup.replace("IAM-EC2-6", "IAM-EC2-66")}, loc="s.yaml:2:"),
        # rules / who-can-assume
        Case("rules-unknown-family", ["rules", "--family", "nope"], 2, "unknown rule family `nope`"),
        Case("rules-unknown-format", ["rules", "--format", "xml"], 2, "'xml' is not one of"),
        Case("who-can-assume-unknown-role", ["who-can-assume", "arn:aws:iam::444444444444:role/Nope"], 2, "no role"),
        Case("who-can-assume-a-user", ["who-can-assume", "arn:aws:iam::111111111111:user/breakglass"], 2, "no role"),
        Case("who-can-assume-ambiguous-name", ["who-can-assume", "OrganizationAccountAccessRole"], 2, "exists in"),
        Case("who-can-assume-depth-zero", ["who-can-assume", "x", "--depth", "0"], 2, "greater than or equal to 1"),
        Case("who-can-assume-depth-text", ["who-can-assume", "x", "--depth", "two"], 2, "valid integer"),
        Case("unknown-verb", ["frobnicate"], 2, "no such command"),
        Case("unknown-option", ["check", "--nope"], 2, "no such option"),
    ]


# ---------------------------------------------------------------------------------------------
# Hostile files: every verb that reads a file x every kind of file an attacker or a careless
# user can put in its place. Each must end in one line and exit 2 (a duplicate key in a policy
# given to `validate` is an error finding instead: exit 1), within the test's time, never a hang.

BOMB = "".join([
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
    *[f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")],
])
DEEP_JSON_HUGE = "[" * 100_000 + "]" * 100_000          # beyond orjson's own limit
DEEP_JSON = '{"a": ' * 200 + "1" + "}" * 200            # parses, but deeper than permwise accepts
DEEP_YAML = "[" * 100_000 + "]" * 100_000                # RecursionError in PyYAML's composer
DEEP_YAML_BLOCK = "".join("  " * i + "a:\n" for i in range(300)) + "  " * 300 + "x\n"
DUP_JSON = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", '
            '"Resource": "*", "Effect": "Allow"}]}')
DUP_YAML = "variables: {prefix: a}\nregions: [us-east-1]\nvariables: {prefix: b}\n"
LONG = "x" * 300

#: kind -> (file spec or None for a path-only case, expected text in the line, file suffix)
HOSTILE: dict[str, tuple[Any, str, str]] = {
    "fifo": (Fifo(), "named pipe (FIFO), not a regular file", ".json"),
    "dev-zero-link": (Symlink("/dev/zero"), "character device (a symbolic link to `/dev/zero`)", ".json"),
    "dev-null": (Symlink("/dev/null"), "character device", ".json"),
    "directory": (Dir(), "directory", ".json"),
    "dangling-link": (Symlink("/nonexistent/permwise"), "no such file", ".json"),
    "link-loop": (Symlink("{self}"), "too many levels of symbolic links", ".json"),
    "name-too-long": (None, "file name too long", ""),
    "proc-mem-eio": (None, "input/output error", ""),
    "yaml-billion-laughs": (BOMB, "YAML alias `*a` is not accepted", ".yaml"),
    "json-nested-100000": (DEEP_JSON_HUGE, "depth limit exceeded", ".json"),
    "json-nested-200": (DEEP_JSON, "nested more than 64 levels deep", ".json"),
    "yaml-nested-100000": (DEEP_YAML, "nested more than 64 levels deep", ".yaml"),
    "yaml-nested-block-300": (DEEP_YAML_BLOCK, "nested more than 64 levels deep", ".yaml"),
    "json-duplicate-key": (DUP_JSON, "duplicate key `Effect`", ".json"),
    "yaml-duplicate-key": (DUP_YAML, "duplicate key `variables`", ".yaml"),
}

#: verb slots: argv with ``{f}`` for the hostile file, and files the verb needs besides
SLOTS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "validate": (["validate", "{f}"], {}),
    "simulate-identity": (["simulate", *REQ, "-i", "{f}"], {}),
    "simulate-scp": (["simulate", *REQ, "--scp", "{f}"], {}),
    "simulate-json": (["simulate", "--json", "{f}"], {}),
    "generate-manifest": (["generate", "{f}"], {}),
    "generate-config": (["generate", "runbooks", "--config", "{f}"], {}),
    "docs": (["docs", "{f}"], {}),
    "manifest-show": (["manifest", "show", "{f}"], {}),
    "manifest-validate": (["manifest", "validate", "{f}"], {}),
    "check-config": (["check", "runbooks", "--env", "{t}/snap", "--config", "{f}"], {"snap": Snapshot()}),
    "audit-config": (["audit", "--config", "{f}"], {}),
    "audit-suppressions": (["audit", "--suppressions", "{f}"], {}),
}

#: snapshot files replaced by a hostile one, read by check, audit and who-can-assume
SNAPSHOT_SLOTS = ["snapshot.json", "organization/accounts.json", "organization/policies/p-FullAWSAccess.json",
                  "accounts/444444444444/authorization-details.json", "errors.json"]
SNAPSHOT_VERBS = {
    "check": ["check", "runbooks", "--env", "{t}/snap", "--config", "{t}/c.yaml"],
    "audit": ["audit", "--env", "{t}/snap"],
    "who-can-assume": ["who-can-assume", "arn:aws:iam::444444444444:role/RunbooksWorkload", "--env", "{t}/snap"],
}


def _hostile_cases() -> list[Case]:
    out: list[Case] = []
    for slot, (argv, extra) in SLOTS.items():
        for kind, (spec, want, suffix) in HOSTILE.items():
            if kind == "name-too-long":
                path, files = "{t}/" + LONG + ".json", {}
            elif kind == "proc-mem-eio":
                path, files = "/proc/self/mem", {}
            else:
                name = f"h{suffix}"
                path = "{t}/" + name
                files = {name: Symlink(path) if kind == "link-loop" else spec}
            code = 2
            if slot == "validate" and kind.endswith("duplicate-key"):
                code = 1  # a policy with a duplicate key is readable: P011, an error finding
            if slot == "validate" and kind == "yaml-duplicate-key":
                continue  # not a policy; the JSON case covers validate
            if kind == "yaml-duplicate-key" and slot.startswith("simulate"):
                want_ = "duplicate key `variables`"
            else:
                want_ = want
            if slot == "manifest-validate" and kind != "name-too-long":  # problems on stdout, verdict on stderr
                out.append(Case(f"hostile-{slot}-{kind}", [a.replace("{f}", path) for a in argv], 2, "1 error,",
                                files={**extra, **files}, out=want_))
                continue
            out.append(Case(f"hostile-{slot}-{kind}", [a.replace("{f}", path) for a in argv], code,
                            want_ if code == 2 else "", files={**extra, **files}))
    for verb, argv in SNAPSHOT_VERBS.items():
        for rel in SNAPSHOT_SLOTS:
            for kind in ("fifo", "dev-zero-link", "directory", "json-nested-200", "json-duplicate-key"):
                spec, want, _ = HOSTILE[kind]
                if kind == "json-duplicate-key":
                    spec, want = '{"format": "permwise-snapshot/1", "format": "permwise-snapshot/1"}', "duplicate key"
                if kind == "directory" and rel.startswith("accounts/"):
                    want = "directory"
                out.append(Case(f"hostile-{verb}-snapshot-{rel.replace('/', '-')}-{kind}", argv, 2, want,
                                files={"snap": Snapshot(), f"snap/{rel}": Replace(spec), "c.yaml": DEMO_CONFIG}))
    return out


CASES: list[Case] = [*_simulate_cases(), *_manifest_cases(), *_config_cases(), *_out_cases(), *_snapshot_cases(),
                     *_misc_cases(), *_hostile_cases()]
