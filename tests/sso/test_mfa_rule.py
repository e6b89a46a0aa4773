"""The rule for trusting the provider's MFA, claim by claim: only a second factor in `amr`, or an `acr` the admin
listed, and only when the provider's rule is "trust"."""
import pytest

from portal.models import SsoProvider
from portal.sso.signin import trusts_mfa

TRUST = SsoProvider(mfa_rule="trust", trusted_acr="urn:example:mfa urn:example:hw")
PORTAL = SsoProvider(mfa_rule="portal", trusted_acr="urn:example:mfa")


@pytest.mark.parametrize("claims", [
    {"amr": ["pwd", "mfa"]}, {"amr": ["otp"]}, {"amr": ["hwk"]}, {"amr": ["swk", "pwd"]},
    {"acr": "urn:example:mfa"}, {"acr": "urn:example:hw", "amr": ["pwd"]},
])
def test_a_second_factor_shown_is_trusted(claims):
    assert trusts_mfa(TRUST, claims) is True
    assert trusts_mfa(PORTAL, claims) is False  # the default rule never trusts it


@pytest.mark.parametrize("claims", [
    {}, {"amr": ["pwd"]}, {"amr": "mfa"}, {"amr": [["mfa"]]}, {"amr": [None, 1]}, {"amr": ["MFA"]},
    {"acr": "urn:example"}, {"acr": ""}, {"acr": ["urn:example:mfa"]}, {"acr": "urn:example:mfa urn:example:hw"},
    {"amr": ["pin"]}, {"amr": ["sms-ish"]},
])
def test_anything_else_is_not(claims):
    assert trusts_mfa(TRUST, claims) is False


def test_no_acr_values_listed_means_acr_never_counts():
    assert trusts_mfa(SsoProvider(mfa_rule="trust", trusted_acr=""), {"acr": ""}) is False
