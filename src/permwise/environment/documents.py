"""Policy documents as AWS returns them: JSON objects, JSON text, or URL-encoded JSON text.

The IAM API returns policy documents URL-encoded (RFC 3986); the AWS CLI decodes them into JSON
objects; Organizations returns SCP/RCP ``Content`` as JSON text. A snapshot may hold any of the
three, so every reader goes through :func:`decode_document`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import orjson

from permwise.sources import check_json_text


class DocumentError(ValueError):
    """A policy document that is not a JSON object in any of the accepted encodings."""


def decode_document(value: Any) -> dict:
    """A policy document as a dict, from a dict, JSON text or URL-encoded JSON text."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise DocumentError(f"expected a policy document (object or string), got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise DocumentError("policy document is an empty string")
    if not text.startswith("{") and "%" in text:
        text = unquote(text)
    try:
        doc = check_json_text(text, "policy document")  # depth and duplicate keys, as for files
    except orjson.JSONDecodeError as exc:
        raise DocumentError(f"policy document is not valid JSON ({exc})") from None
    except ValueError as exc:
        raise DocumentError(str(exc)) from None
    if not isinstance(doc, dict):
        raise DocumentError("policy document must be a JSON object")
    return doc
