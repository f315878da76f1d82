"""The case fixtures (tests/cases/conftest.py) for the home dashboard's tests."""

from __future__ import annotations

from tests.assistance.conftest import aw  # noqa: F401
from tests.cases.conftest import case_world  # noqa: F401
