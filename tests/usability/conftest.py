"""The admin tests' people (an admin with an authenticator app, agents and end users with their own browsers)."""
from tests.admin.conftest import actor, admin  # noqa: F401
