"""The published JSON Schemas of manifests and deployment configs, generated from the models.

``python -m permwise.requirements.schema`` rewrites ``docs/schemas/manifest.schema.json`` and
``docs/schemas/config.schema.json``; a test keeps the committed files equal to these.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from permwise.requirements.model import DeploymentConfig, Manifest

SCHEMA_BASE = "https://permwise.dev/schemas"


def _schema(model: type, name: str, title: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{SCHEMA_BASE}/{name}",
            "title": title, **{k: v for k, v in schema.items() if k != "title"}}


def manifest_schema() -> dict[str, Any]:
    return _schema(Manifest, "manifest.schema.json", "permwise requirement manifest")


def config_schema() -> dict[str, Any]:
    return _schema(DeploymentConfig, "config.schema.json", "permwise deployment config")


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    from permwise.fsutil import atomic_write_many

    root = Path(argv[0] if argv else ".")
    atomic_write_many({root / "docs/schemas/manifest.schema.json": dumps(manifest_schema()),
                       root / "docs/schemas/config.schema.json": dumps(config_schema())}, force=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
