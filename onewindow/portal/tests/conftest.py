"""The suite's personas (tests/conftest.py) for this app's tests."""

from tests.conftest import *  # noqa: F403
