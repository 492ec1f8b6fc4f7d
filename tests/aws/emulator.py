"""A real HTTP AWS emulator for the aws tests: moto's WSGI app behind a recording middleware.

Decision (documented in docs/collect.md): the request log comes from the emulator side. The
middleware sees every HTTP request moto receives, names it (service from the SigV4 credential
scope, operation from ``X-Amz-Target``, the ``Action`` parameter or, for REST services, the
method and path matched against botocore's own service model) and maps it to the IAM action
that authorizes it. It also

- learns which account each access key belongs to, from moto's AssumeRole responses, so a
  request can be attributed to an account;
- injects faults (an error response for a given account/action or access key), so tests can
  show AccessDenied, an explicit SCP deny or bad credentials arriving over HTTP.

Nothing in permwise is patched: permwise talks HTTP to 127.0.0.1 like it would to AWS.
Run by hand: ``python tests/aws/emulator.py --port 5055`` starts the server and builds the
organization used by the tests (see docs/collect.md).
"""

from __future__ import annotations

import io
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote

import boto3
import botocore.session
from werkzeug.serving import make_server

DEFAULT_ACCOUNT = "123456789012"
CREDS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
BAD_ACCESS_KEY = "AKIABADBADBADBADBAD0"  # fake key: the emulator answers it with InvalidClientTokenId
REGION = "us-east-1"

_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")

#: API operation -> IAM action where the names differ (Service Authorization Reference:
#: "Actions, resources, and condition keys for Amazon S3": ListBuckets is authorized by
#: s3:ListAllMyBuckets, ListObjects/ListObjectsV2/HeadBucket by s3:ListBucket,
#: GetPublicAccessBlock on a bucket by s3:GetBucketPublicAccessBlock).
OPERATION_TO_ACTION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    # S3 Control (signed as `s3`, told apart by its /v20180820/ path): account-level settings
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("s3control", "PutPublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
    ("s3control", "DeletePublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
    # access points: the API and IAM names agree, the prefix is `s3`
    ("s3control", "ListAccessPoints"): "s3:ListAccessPoints",
    ("s3control", "GetAccessPoint"): "s3:GetAccessPoint",
    ("s3control", "GetAccessPointPolicy"): "s3:GetAccessPointPolicy",
    ("s3control", "CreateAccessPoint"): "s3:CreateAccessPoint",
    ("s3control", "PutAccessPointPolicy"): "s3:PutAccessPointPolicy",
}
#: signing name -> botocore service model, where they differ (REST services are named by path)
_MODEL_OF_SIGNING_NAME = {"elasticfilesystem": "efs", "es": "opensearch"}

_PROTOCOL_OF_SIGNING_NAME = {
    "iam": "query", "sts": "query", "sns": "query", "organizations": "json", "kms": "json", "sqs": "json",
    "secretsmanager": "json", "ecr": "json", "lambda": "rest-json", "s3": "rest-xml",
    "s3control": "rest-xml", "elasticfilesystem": "rest-json", "events": "json", "backup": "rest-json",
    "glacier": "rest-json", "es": "rest-json",
}


@dataclass
class Recorded:
    service: str
    operation: str
    action: str
    account: str
    access_key: str
    user_agent: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def by_permwise(self) -> bool:
        return "permwise/" in self.user_agent


@dataclass
class Fault:
    """Answer matching requests with an AWS error instead of passing them to moto."""

    code: str
    message: str
    status: int = 403
    account: str | None = None
    action: str | None = None  # IAM action, case-insensitive
    access_key: str | None = None
    role_arn: str | None = None  # for sts:AssumeRole
    params: dict[str, Any] = field(default_factory=dict)  # request parameters that must match
    times: int | None = None  # answer only this many matching requests (then pass them to moto)

    def matches(self, rec: Recorded) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if any(rec.params.get(k) != v for k, v in self.params.items()):
            return False
        if self.account and rec.account != self.account:
            return False
        if self.action and rec.action.lower() != self.action.lower():
            return False
        if self.access_key and rec.access_key != self.access_key:
            return False
        if self.role_arn and rec.params.get("RoleArn") != self.role_arn:
            return False
        return True


@lru_cache(maxsize=None)
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], dict[str, str | None], int, str]]:
    model = botocore.session.get_session().get_service_model(_MODEL_OF_SIGNING_NAME.get(service, service))
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"]
        path, _, query = uri.partition("?")
        regex = ""
        last = 0
        for m in re.finditer(r"\{([^}]+)\}", path):
            regex += re.escape(path[last : m.start()])
            regex += ".+" if m.group(1).endswith("+") else "[^/]+"
            last = m.end()
        regex += re.escape(path[last:])
        if path.endswith("/") and len(path) > 1:
            regex += "?"
        wanted: dict[str, str | None] = {}
        for part in filter(None, query.split("&")):
            k, _, v = part.partition("=")
            wanted[k] = v or None
        literal = len(re.sub(r"\{[^}]+\}", "", path))
        routes.append((http["method"], re.compile(regex + r"\Z"), wanted, literal, name))
    return routes


def rest_operation(service: str, method: str, path: str, query: dict[str, list[str]]) -> str:
    best: tuple[int, int, str] | None = None
    for m, regex, wanted, literal, name in _rest_routes(service):
        if m != method or not regex.match(path):
            continue
        if any(k not in query or (v is not None and v not in query[k]) for k, v in wanted.items()):
            continue
        score = (len(wanted), literal, name)
        if best is None or score[:2] > best[:2]:
            best = score
    return best[2] if best else f"{method} {path}"


def identify(environ: dict[str, Any], body: bytes) -> tuple[str, str, str, dict[str, Any]]:
    """(signing service, operation, access key, params) of one HTTP request."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = _SCOPE.search(auth)
    access_key, service = (m.group(1), m.group(3)) if m else ("", "unknown")
    target = environ.get("HTTP_X_AMZ_TARGET")
    params: dict[str, Any] = {}
    if target:
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        return service, target.rsplit(".", 1)[-1], access_key, params
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    form: dict[str, list[str]] = {}
    if "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    action = (form.get("Action") or query.get("Action") or [None])[0]
    if action:
        params = {k: v[0] for k, v in {**query, **form}.items()}
        return service, action, access_key, params
    path = unquote(environ.get("PATH_INFO", "/"))
    if service == "s3" and path.startswith("/v20180820/"):
        service = "s3control"  # S3 Control signs as `s3`; its paths carry the API version
    return service, rest_operation(service, environ["REQUEST_METHOD"], path, query), access_key, params


def iam_action(service: str, operation: str) -> str:
    return OPERATION_TO_ACTION.get((service, operation), f"{service}:{operation}")


def error_response(protocol: str, code: str, message: str) -> tuple[dict[str, str], bytes]:
    rid = uuid.uuid4().hex
    if protocol == "json":
        return {"Content-Type": "application/x-amz-json-1.1"}, json.dumps({"__type": code, "message": message}).encode()
    if protocol == "rest-json":
        return {"Content-Type": "application/json", "x-amzn-ErrorType": code}, json.dumps({"message": message}).encode()
    if protocol == "rest-xml":
        xml = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{rid}</RequestId></Error>"
        return {"Content-Type": "application/xml"}, xml.encode()
    xml = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{rid}</RequestId></ErrorResponse>"
    )
    return {"Content-Type": "text/xml"}, xml.encode()


class RecordingApp:
    """WSGI middleware: log every request, attribute it to an account, inject faults."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.log: list[Recorded] = []
        self.faults: list[Fault] = []
        self.key_accounts: dict[str, str] = {}
        #: requests being served right now, and the most seen at once (bounded concurrency)
        self.in_flight = 0
        self.max_in_flight = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, operation, access_key, params = identify(environ, body)
        with self.lock:
            account = self.key_accounts.get(access_key, DEFAULT_ACCOUNT)
        rec = Recorded(
            service, operation, iam_action(service, operation), account, access_key,
            environ.get("HTTP_USER_AGENT", ""), params,
        )
        with self.lock:
            self.log.append(rec)
            fault = next((f for f in self.faults if f.matches(rec)), None)
            if fault and fault.times is not None:
                fault.times -= 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._serve(rec, fault, environ, start_response)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _serve(self, rec: Recorded, fault: Fault | None, environ: dict[str, Any], start_response: Any) -> Any:
        service = rec.service
        if fault:
            headers, payload = error_response(_PROTOCOL_OF_SIGNING_NAME.get(service, "query"), fault.code, fault.message)
            start_response(f"{fault.status} Error", [*headers.items(), ("Content-Length", str(len(payload)))])
            return [payload]
        if rec.action != "sts:AssumeRole":
            # the body is produced inside the in-flight window
            return [b"".join(self.app(environ, start_response))]
        # learn the account of the credentials moto hands out
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        chunks = b"".join(self.app(environ, capture))
        key = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", chunks)
        arn = re.search(rb"<Arn>arn:[^:]+:sts::(\d{12}):assumed-role/", chunks)
        if key and arn:
            with self.lock:
                self.key_accounts[key.group(1).decode()] = arn.group(1).decode()
        return [chunks]

    def permwise_requests(self) -> list[Recorded]:
        with self.lock:
            return [r for r in self.log if r.by_permwise]

    def clear(self) -> None:
        with self.lock:
            self.log.clear()

    def reset_in_flight(self) -> None:
        with self.lock:
            self.max_in_flight = self.in_flight


class Emulator:
    """moto in server mode on 127.0.0.1 (a free port), with the recording middleware."""

    def __init__(self, port: int = 0) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.app = RecordingApp(DomainDispatcherApplication(create_backend_app))
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Emulator:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)

    def fault(self, fault: Fault) -> _FaultContext:
        return _FaultContext(self.app, fault)

    def client(self, service: str, **creds: Any) -> Any:
        return _client(self.url, service, creds or None)


class _FaultContext:
    def __init__(self, app: RecordingApp, fault: Fault) -> None:
        self.app, self.f = app, fault

    def __enter__(self) -> Fault:
        with self.app.lock:
            self.app.faults.append(self.f)
        return self.f

    def __exit__(self, *exc: Any) -> None:
        with self.app.lock:
            self.app.faults.remove(self.f)


# --- the organization the tests collect -----------------------------------------------------------


@dataclass
class Org:
    management: str
    accounts: dict[str, str]  # name -> account id
    root: str
    ous: dict[str, str]  # name -> OU id
    scps: dict[str, str]  # name -> policy id
    rcps: dict[str, str]
    bucket: str
    role_arns: dict[str, str]  # label -> role ARN


def _client(url: str, service: str, creds: dict[str, str] | None = None) -> Any:
    """A boto3 client of the fixtures (they write; permwise's own clients are guarded)."""
    client = boto3.client(service, endpoint_url=url, region_name=REGION, **(creds or CREDS))
    if service == "s3control":
        from permwise.aws.session import keep_endpoint_host

        keep_endpoint_host(client, url)
    return client


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def assume(url: str, account: str, role: str = "OrganizationAccountAccessRole") -> dict[str, str]:
    sts = boto3.client("sts", endpoint_url=url, region_name=REGION, **CREDS)
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="fixture")["Credentials"]
    return {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }


def build_organization(url: str) -> Org:
    """Create the test organization through boto3 (the fixture writes; permwise only reads).

    Root -> OU Security (account security), OU Workloads (account ops) -> OU Prod (accounts
    prod, billing at the root); SCPs at the root, on Workloads and on the prod account; an RCP at
    the root; users, groups, roles and managed policies; resource policies in the prod account.
    """

    def c(service: str, creds: dict[str, str] | None = None) -> Any:
        return _client(url, service, creds)

    org = c("organizations")
    created = org.create_organization(FeatureSet="ALL")["Organization"]
    mgmt, org_id = created["MasterAccountId"], created["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    for ptype in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        try:
            org.enable_policy_type(RootId=root, PolicyType=ptype)
        except Exception:  # moto may not know the type; collect records what it gets
            pass
    ous = {"Security": org.create_organizational_unit(ParentId=root, Name="Security")["OrganizationalUnit"]["Id"]}
    ous["Workloads"] = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    ous["Prod"] = org.create_organizational_unit(ParentId=ous["Workloads"], Name="Prod")["OrganizationalUnit"]["Id"]
    accounts: dict[str, str] = {}
    for name, parent in (("security", "Security"), ("ops", "Workloads"), ("prod", "Prod"), ("billing", None)):
        acct = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
        accounts[name] = acct
        if parent:
            org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ous[parent])
    scps = {}
    scps["DenyLeaveOrganization"] = org.create_policy(
        Name="DenyLeaveOrganization", Description="members stay", Type="SERVICE_CONTROL_POLICY",
        Content=_doc({"Sid": "NoLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scps["DenyLeaveOrganization"], TargetId=root)
    scps["ProtectCloudTrail"] = org.create_policy(
        Name="ProtectCloudTrail", Description="no trail stops", Type="SERVICE_CONTROL_POLICY",
        Content=_doc({"Sid": "NoStop", "Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scps["ProtectCloudTrail"], TargetId=ous["Workloads"])
    scps["DenyS3Delete"] = org.create_policy(
        Name="DenyS3Delete", Description="prod data", Type="SERVICE_CONTROL_POLICY",
        Content=_doc({"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scps["DenyS3Delete"], TargetId=accounts["prod"])
    rcps = {}
    try:
        rcps["DenyExternalS3"] = org.create_policy(
            Name="DenyExternalS3", Description="org only", Type="RESOURCE_CONTROL_POLICY",
            Content=_doc({
                "Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
            }),
        )["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=rcps["DenyExternalS3"], TargetId=root)
    except Exception:
        pass
    org.register_delegated_administrator(AccountId=accounts["security"], ServicePrincipal="guardduty.amazonaws.com")

    # management account: an admin group, a user in it, a break-glass role
    iam = c("iam")
    iam.create_group(GroupName="admins")
    iam.put_group_policy(GroupName="admins", PolicyName="admin", PolicyDocument=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    trust_mgmt = _doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{mgmt}:root"}, "Action": "sts:AssumeRole"})
    role_arns = {"breakglass": iam.create_role(RoleName="BreakGlass", AssumeRolePolicyDocument=trust_mgmt)["Role"]["Arn"]}
    iam.put_role_policy(RoleName="BreakGlass", PolicyName="all", PolicyDocument=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))

    # member accounts: an application role with an attached customer managed policy
    bucket = "prod-data-bucket"
    for name, acct in sorted(accounts.items()):
        creds = assume(url, acct)
        miam = c("iam", creds)
        pol = miam.create_policy(
            PolicyName="AppRead",
            PolicyDocument=_doc({"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}),
        )["Policy"]["Arn"]
        trust = _doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
        arn = miam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        miam.attach_role_policy(RoleName="app", PolicyArn=pol)
        role_arns[f"{name}-app"] = arn
        if name == "prod":
            # an administrator role: only SCPs stand between it and everything
            role_arns["prod-admin"] = miam.create_role(RoleName="admin", AssumeRolePolicyDocument=trust_mgmt)["Role"]["Arn"]
            miam.put_role_policy(RoleName="admin", PolicyName="all", PolicyDocument=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
        if name == "ops":
            # a role the operations profile of the preflight tests lands in
            miam.create_role(RoleName="Operations", AssumeRolePolicyDocument=trust_mgmt)

    # resource policies in the prod account
    creds = assume(url, accounts["prod"])
    pid = accounts["prod"]
    s3 = c("s3", creds)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=_doc({
        "Sid": "OpsRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{accounts['ops']}:root"},
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
    }))
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    })
    s3.create_bucket(Bucket="prod-no-policy-bucket")
    # account-level Block Public Access (S3 Control) in prod; the other accounts have none
    c("s3control", creds).put_public_access_block(AccountId=pid, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False,
    })
    kms = c("kms", creds)
    kms.create_key(Description="prod data key", Policy=_doc({
        "Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{pid}:root"}, "Action": "kms:*", "Resource": "*",
    }))
    sqs = c("sqs", creds)
    q = sqs.create_queue(QueueName="prod-events")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=q, Attributes={"Policy": _doc({
        "Sid": "SnsSend", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": qarn,
    })})
    sns = c("sns", creds)
    sns.create_topic(Name="prod-alerts")
    sm = c("secretsmanager", creds)
    sarn = sm.create_secret(Name="prod/db", SecretString="not-a-real-secret")["ARN"]
    sm.put_resource_policy(SecretId=sarn, ResourcePolicy=_doc({
        "Sid": "AppRead", "Effect": "Allow", "Principal": {"AWS": role_arns["prod-app"]}, "Action": "secretsmanager:GetSecretValue", "Resource": "*",
    }))
    ecr = c("ecr", creds)
    ecr.create_repository(repositoryName="prod-app")
    ecr.set_repository_policy(repositoryName="prod-app", policyText=_doc({
        "Sid": "OpsPull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{accounts['ops']}:root"}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    }))
    lam = c("lambda", creds)
    lam.create_function(
        FunctionName="prod-handler", Runtime="python3.12", Role=role_arns["prod-app"], Handler="h.h",
        Code={"ZipFile": _zip()},
    )
    lam.add_permission(
        FunctionName="prod-handler", StatementId="s3invoke", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}",
    )
    return Org(mgmt, accounts, root, ous, scps, rcps, bucket, role_arns)


def _zip() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("h.py", "def h(event, context):\n    return None\n")
    return buf.getvalue()


if __name__ == "__main__":  # pragma: no cover - manual runs for the docs
    import argparse
    import time

    ap = argparse.ArgumentParser(description="start moto (recording) on 127.0.0.1 and build the test organization")
    ap.add_argument("--port", type=int, default=5055)
    ap.add_argument("--populate-only", metavar="URL", help="only build the organization in a running server")
    ap.add_argument("--write-config", metavar="PATH", help="write an AWS config file with one profile per account (as the tests use)")
    args = ap.parse_args()
    if args.populate_only:
        org_ = build_organization(args.populate_only)
        url = args.populate_only
    else:
        emu = Emulator(args.port).start()
        # the tests' bad-credentials profile `bad` gets InvalidClientTokenId over HTTP
        emu.app.faults.append(Fault("InvalidClientTokenId", "The security token included in the request is invalid.",
                                    access_key=BAD_ACCESS_KEY))
        org_ = build_organization(emu.url)
        url = emu.url
    if args.write_config:
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).parent))
        from aws_support import _profiles

        Path(args.write_config).write_text(_profiles(org_, url))
    print(url)
    print(json.dumps(org_.__dict__, indent=2), flush=True)
    if not args.populate_only:
        while True:
            time.sleep(3600)
