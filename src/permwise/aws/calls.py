"""Every AWS API operation permwise may call, as data, and the guard that enforces it.

permwise never calls an AWS API that writes. Instead of trusting every call site, each boto3
client permwise creates gets a ``before-call`` hook that refuses any operation that is not in
:data:`READ_OPERATIONS` before a request is signed or sent. The table also maps each operation to
the IAM action that authorizes it (the names differ for a few S3 operations), which is what the
bundled manifest ``permwise`` must grant; tests check the two stay in step and that the emulator
never receives anything else.
"""

from __future__ import annotations

from typing import Any

from permwise.errors import PermwiseError

#: ``(botocore service name, operation name) -> IAM action``. Source for the IAM names: the
#: Service Authorization Reference; where the API operation and the action differ it is noted.
READ_OPERATIONS: dict[tuple[str, str], str] = {
    # identity of the caller; assuming the collection role in member accounts
    ("sts", "GetCallerIdentity"): "sts:GetCallerIdentity",
    # sts:AssumeRole is catalogued as Write; it is the one non-read action permwise uses and it
    # changes nothing in the account (it returns temporary credentials)
    ("sts", "AssumeRole"): "sts:AssumeRole",
    # IAM
    ("iam", "GetAccountAuthorizationDetails"): "iam:GetAccountAuthorizationDetails",
    ("iam", "ListAccountAliases"): "iam:ListAccountAliases",
    # Organizations
    ("organizations", "DescribeOrganization"): "organizations:DescribeOrganization",
    ("organizations", "ListRoots"): "organizations:ListRoots",
    ("organizations", "ListOrganizationalUnitsForParent"): "organizations:ListOrganizationalUnitsForParent",
    ("organizations", "ListAccounts"): "organizations:ListAccounts",
    ("organizations", "ListParents"): "organizations:ListParents",
    ("organizations", "ListPolicies"): "organizations:ListPolicies",
    ("organizations", "DescribePolicy"): "organizations:DescribePolicy",
    ("organizations", "ListTargetsForPolicy"): "organizations:ListTargetsForPolicy",
    ("organizations", "ListDelegatedAdministrators"): "organizations:ListDelegatedAdministrators",
    # S3: ListBuckets is authorized by s3:ListAllMyBuckets, GetPublicAccessBlock (on a bucket)
    # by s3:GetBucketPublicAccessBlock
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketLocation"): "s3:GetBucketLocation",
    ("s3", "GetBucketPolicy"): "s3:GetBucketPolicy",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    # the account-level Block Public Access settings (S3 Control API) are authorized by
    # s3:GetAccountPublicAccessBlock
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    # resource policies in each region
    ("kms", "ListKeys"): "kms:ListKeys",
    ("kms", "GetKeyPolicy"): "kms:GetKeyPolicy",
    ("kms", "DescribeKey"): "kms:DescribeKey",
    ("sqs", "ListQueues"): "sqs:ListQueues",
    ("sqs", "GetQueueAttributes"): "sqs:GetQueueAttributes",
    ("sns", "ListTopics"): "sns:ListTopics",
    ("sns", "GetTopicAttributes"): "sns:GetTopicAttributes",
    ("lambda", "ListFunctions"): "lambda:ListFunctions",
    ("lambda", "GetPolicy"): "lambda:GetPolicy",
    ("secretsmanager", "ListSecrets"): "secretsmanager:ListSecrets",
    ("secretsmanager", "GetResourcePolicy"): "secretsmanager:GetResourcePolicy",
    ("ecr", "DescribeRepositories"): "ecr:DescribeRepositories",
    ("ecr", "GetRepositoryPolicy"): "ecr:GetRepositoryPolicy",
    # external access (docs/access.md): KMS grants, Lambda layers, S3 access points (S3 Control,
    # authorized by s3:ListAccessPoints/GetAccessPoint/GetAccessPointPolicy), EFS, EventBridge,
    # Backup, Glacier, OpenSearch (botocore `opensearch`, IAM prefix `es`)
    ("kms", "ListGrants"): "kms:ListGrants",
    ("lambda", "ListLayers"): "lambda:ListLayers",
    ("lambda", "ListLayerVersions"): "lambda:ListLayerVersions",
    ("lambda", "GetLayerVersionPolicy"): "lambda:GetLayerVersionPolicy",
    ("s3control", "ListAccessPoints"): "s3:ListAccessPoints",
    ("s3control", "GetAccessPoint"): "s3:GetAccessPoint",
    ("s3control", "GetAccessPointPolicy"): "s3:GetAccessPointPolicy",
    ("efs", "DescribeFileSystems"): "elasticfilesystem:DescribeFileSystems",
    ("efs", "DescribeFileSystemPolicy"): "elasticfilesystem:DescribeFileSystemPolicy",
    ("events", "ListEventBuses"): "events:ListEventBuses",
    ("events", "DescribeEventBus"): "events:DescribeEventBus",
    ("backup", "ListBackupVaults"): "backup:ListBackupVaults",
    ("backup", "GetBackupVaultAccessPolicy"): "backup:GetBackupVaultAccessPolicy",
    ("glacier", "ListVaults"): "glacier:ListVaults",
    ("glacier", "GetVaultAccessPolicy"): "glacier:GetVaultAccessPolicy",
    ("opensearch", "ListDomainNames"): "es:ListDomainNames",
    ("opensearch", "DescribeDomainConfig"): "es:DescribeDomainConfig",
}

#: Actions that are not catalogued Read/List but are still safe (they change nothing).
NON_READ_ALLOWED: frozenset[str] = frozenset({"sts:AssumeRole"})


class WriteRefused(PermwiseError):
    """permwise tried to call an operation outside :data:`READ_OPERATIONS` (a bug, never input)."""


def iam_action(service: str, operation: str) -> str | None:
    return READ_OPERATIONS.get((service, operation))


def _guard(model: Any, **_: Any) -> None:
    service = model.service_model.service_name
    if (service, model.name) not in READ_OPERATIONS:
        raise WriteRefused(
            f"refusing to call `{service}:{model.name}`: permwise only calls the read-only operations "
            "listed in permwise.aws.calls.READ_OPERATIONS"
        )


def guard_client(client: Any) -> Any:
    """Install the read-only guard on a boto3 client and return it."""
    client.meta.events.register("before-call.*.*", _guard, unique_id="permwise-read-only-guard")
    from permwise.aws.breaker import install

    return install(client)  # an endpoint that stops answering fails fast (aws/breaker.py)
