"""Live AWS, read-only: ``collect`` (an organization into an environment snapshot) and
``preflight`` (are the credential profiles routed to the right accounts?).

Every boto3 client is guarded so that only the operations in
:data:`permwise.aws.calls.READ_OPERATIONS` can be called; the bundled manifest ``permwise``
grants exactly their IAM actions.

Public API::

    from permwise.aws import collect, preflight
    result = collect("snapshot/", profile="mgmt", regions=["us-east-1"])
    report = preflight(profiles={"management": "mgmt", ...}, manifest=None)
"""

from permwise.aws.calls import READ_OPERATIONS, WriteRefused
from permwise.aws.collect import CollectResult, Collector, collect

__all__ = ["READ_OPERATIONS", "CollectResult", "Collector", "WriteRefused", "collect"]
