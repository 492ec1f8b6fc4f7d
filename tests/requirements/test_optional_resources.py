"""Resource scoping of actions whose resource type is optional.

Service Authorization Reference: a resource type without an asterisk is optional, so the call
can be made without naming such a resource; a request that names no resource is authorized
against `*` (IAM JSON policy reference, Resource element: actions that don't support a resource
need "Resource": "*"). An action with a single optional type may therefore be called on `*`,
while several optional types are alternatives the call chooses between (s3:GetObject names an
object or an access-point object), and required types are always named.
"""

from textwrap import dedent

from permwise.catalog import get_catalog
from permwise.requirements import load_config, load_manifest, plan

MANIFEST = dedent("""\
    manifest: 1
    tool: {name: opt, version: "1", description: optional resource types, source: test}
    profiles:
      workload: {description: a workload account, env_var: AWS_PROFILE, account_kind: member}
    commands:
      - id: costs.read
        name: costs read
        group: costs
        profile: workload
        access: read
        managed_policies: []
        scp_risk: {level: low, reason: reads}
        permissions:
          - actions: [ce:GetCostAndUsage, rds:DescribeDBInstances, s3:GetObject, ec2:StartInstances]
            justification: one action of each kind
          - actions: [cloudformation:DescribeStacks]
            resources: ["arn:{partition}:cloudformation:{region}:{account}:stack/app-*/*"]
            justification: the manifest names the stacks, so the call names them too
    """)

CONFIG = dedent("""\
    regions: [eu-west-1]
    profiles:
      workload: {account: "444455556666"}
    """)


def _requests(tmp_path):
    (tmp_path / "m.yaml").write_text(MANIFEST)
    (tmp_path / "c.yaml").write_text(CONFIG)
    [cp] = plan(load_manifest(str(tmp_path / "m.yaml")), load_config(str(tmp_path / "c.yaml")))
    out: dict[str, set[str]] = {}
    for r in cp.requests:
        out.setdefault(r.action, set()).add(r.resource)
    return out


def test_catalog_facts_the_rule_depends_on():
    cat = get_catalog()
    [billingview] = cat.action("ce:GetCostAndUsage").resources
    assert not billingview.required
    assert all(not r.required for r in cat.action("s3:GetObject").resources)
    assert len(cat.action("s3:GetObject").resources) > 1
    assert any(r.required for r in cat.action("ec2:StartInstances").resources)


def test_single_optional_resource_type_is_required_on_star(tmp_path):
    reqs = _requests(tmp_path)
    assert reqs["ce:GetCostAndUsage"] == {"*"}
    assert reqs["rds:DescribeDBInstances"] == {"*"}


def test_alternatives_and_required_types_stay_scoped(tmp_path):
    reqs = _requests(tmp_path)
    assert "*" not in reqs["s3:GetObject"] and reqs["s3:GetObject"]
    assert "*" not in reqs["ec2:StartInstances"]
    assert "arn:aws:ec2:eu-west-1:444455556666:instance/*" in reqs["ec2:StartInstances"]


def test_an_explicit_template_still_scopes_an_optional_type(tmp_path):
    reqs = _requests(tmp_path)
    assert reqs["cloudformation:DescribeStacks"] == {"arn:aws:cloudformation:eu-west-1:444455556666:stack/app-*/*"}
