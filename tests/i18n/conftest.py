from tests.admin.conftest import actor, admin  # noqa: F401  (an admin and the people they act on)
