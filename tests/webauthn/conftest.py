import pytest

from .helpers import switch_on


@pytest.fixture(autouse=True)
def security_keys_on(app):
    switch_on(app)
