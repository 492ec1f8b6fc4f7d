"""The size of a policy as AWS counts it against its quota (one function for every caller).

* IAM and AWS STS quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
  "IAM doesn't count white space when calculating the size of a policy" for managed and inline
  policies, trust policies and session policies: the characters of the JSON text without any white
  space.
* Quotas for AWS Organizations (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html),
  "Maximum size of a policy document": SCPs and RCPs are stored as given (only the console removes
  white space between elements, the CLI and SDKs keep it), so every character of the submitted text
  counts: the text as written when there is one (a JSON file), else the compact JSON that
  ``permwise generate`` submits (white space inside strings counts).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from permwise.policy.model import ORG_TYPES

_WS = re.compile(r"\s")


def policy_size(data: Any, kind: str = "identity", text: str | None = None) -> int:
    """Characters of policy ``data`` (of type ``kind``) that count toward its size quota.

    ``text`` is the JSON text as it will be submitted, when there is one; it counts only for the
    AWS Organizations types (SCP, RCP), where the stored text is measured as written."""
    if kind in ORG_TYPES:
        if text is not None:
            return len(text.strip())
        return len(orjson.dumps(data).decode())
    return len(_WS.sub("", orjson.dumps(data).decode()))
