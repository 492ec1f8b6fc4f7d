"""Resource templates: ``{variable}`` substitution and matching against catalog resource types.

A template is ``*`` or an ARN with ``{name}`` variables (``arn:{partition}:s3:::{prefix}-{env}-*``).
IAM policy variables (``${aws:username}``) are not template variables and are left alone.
``{region}`` expands over every region of the deployment, so one template can give several ARNs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

from permwise.catalog import Action, ResourceType, get_catalog
from permwise.catalog.arn import could_match

#: ``{name}`` not preceded by ``$`` (``${aws:username}`` is an IAM policy variable).
VARIABLE = re.compile(r"(?<!\$)\{([A-Za-z_][A-Za-z0-9_-]*)\}")

#: Values used to check a template's shape against ARN patterns when no config is at hand.
SAMPLE_VALUES = {"partition": "aws", "account": "123456789012", "region": "us-east-1"}


def variables_of(template: str) -> list[str]:
    """Variable names used in ``template``, in order of first use."""
    seen: dict[str, None] = {}
    for m in VARIABLE.finditer(template):
        seen.setdefault(m.group(1), None)
    return list(seen)


def fill(template: str, values: Mapping[str, str | Sequence[str]]) -> list[str]:
    """Every string ``template`` stands for. A value may be a list (``region`` over several
    regions): the template then gives one string per combination, in order, without duplicates.
    Variables missing from ``values`` raise ``KeyError``."""
    names = variables_of(template)
    choices = []
    for n in names:
        v = values[n]
        choices.append([v] if isinstance(v, str) else list(v))
    out: dict[str, None] = {}
    for combo in itertools.product(*choices):
        mapping = dict(zip(names, combo, strict=True))
        out.setdefault(VARIABLE.sub(lambda m: mapping[m.group(1)], template), None)
    return list(out)


def fill_value(value, values: Mapping[str, str | Sequence[str]]):
    """Fill variables inside a condition value (a string or a list of strings); lists of values
    (several regions) become several condition values."""
    if isinstance(value, str):
        filled = fill(value, values)
        return filled[0] if len(filled) == 1 else filled
    if isinstance(value, list):
        out: list = []
        for v in value:
            f = fill_value(v, values)
            out.extend(f if isinstance(f, list) else [f])
        return out
    return value


def resource_types_of(action: Action) -> list[ResourceType]:
    """The catalog resource types ``action`` can be scoped to (empty: wildcard-only action)."""
    cat = get_catalog()
    return [rt for _, rt in cat.action_resource_types(action) if rt is not None and rt.arn]


def fits(arn: str, rt: ResourceType) -> bool:
    """Whether a (possibly wildcarded) ARN pattern can name a resource of type ``rt``: some
    concrete ARN matches both the pattern and the type's catalog ARN pattern
    (``arn:aws:s3:::acme-*`` fits bucket and object; ``arn:aws:s3:::acme`` only bucket)."""
    return bool(rt.arn_regex.match(arn)) or could_match(arn, rt.arn)


def derived_arns(action: Action, values: Mapping[str, str | Sequence[str]]) -> list[tuple[ResourceType, str]]:
    """ARNs derived from the catalog ARN patterns of every resource type of ``action``:
    ``${Partition}``, ``${Region}``, ``${Account}`` filled from ``values`` (regions expand), every
    other ``${...}`` (resource names) becomes ``*``."""
    out: dict[str, ResourceType] = {}
    part = values.get("partition", "aws")
    accounts = values.get("account", "*")
    regions = values.get("region", "*")
    accounts = [accounts] if isinstance(accounts, str) else list(accounts)
    regions = [regions] if isinstance(regions, str) else list(regions)
    for rt in resource_types_of(action):
        has_region = "${region}" in rt.arn.lower()
        for acct in accounts:
            for reg in regions if has_region else ["*"]:
                arn = rt.template({"partition": part, "region": reg, "account": acct})
                out.setdefault(arn, rt)
    return [(rt, arn) for arn, rt in out.items()]
