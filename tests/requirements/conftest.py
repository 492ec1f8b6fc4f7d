"""Fixtures of this area live in requirements_support.py (a unique module name, so tests in
different areas can import their helpers without colliding on `conftest`)."""

from requirements_support import *  # noqa: F401,F403
