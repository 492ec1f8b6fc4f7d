"""permwise: least-privilege AWS IAM, offline and exactly as AWS decides.

Layers (each imports only the ones above it): catalog, policy, engine, environment,
requirements and audit (analyses), aws, report, cli. See docs/architecture.md.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
