"""Fixtures of this area live in aws_support.py (a unique module name, so tests in
different areas can import their helpers without colliding on `conftest`)."""

from aws_support import *  # noqa: F401,F403
