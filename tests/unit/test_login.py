"""portal.twofactor.login.choose_authenticator: which of a person's authenticators the challenge uses."""
from types import SimpleNamespace as A

import pytest

from portal.twofactor.login import choose_authenticator, normalise_email

PHONE, TABLET, MAIL = A(id=7, is_default=False), A(id=12, is_default=True), A(id=30, is_default=False)
MINE = [PHONE, TABLET, MAIL]


@pytest.mark.parametrize("wanted, chosen", [(7, PHONE), ("7", PHONE), (30, MAIL), ("12", TABLET)])
def test_the_one_asked_for_by_id(wanted, chosen):
    assert choose_authenticator(MINE, wanted) is chosen


def test_without_an_id_the_default_even_when_it_is_not_first():
    assert choose_authenticator(MINE, None) is TABLET


def test_without_an_id_or_a_default_the_first():
    assert choose_authenticator([MAIL, PHONE], None) is MAIL


def test_nothing_to_choose_from():
    assert choose_authenticator([], None) is None
    assert choose_authenticator([], 7) is None


@pytest.mark.parametrize("wanted", [
    8,         # someone else's authenticator: not in this person's list, so never theirs to be challenged with
    "99",
    "",        # an empty choice is not "the default"
    "07", " 7", "7.0", "abc",
])
def test_an_id_not_in_the_list_chooses_nothing_not_the_default(wanted):
    assert choose_authenticator(MINE, wanted) is None


def test_another_persons_id_is_not_found_in_this_persons_list():
    theirs = [A(id=8, is_default=True)]
    assert choose_authenticator(theirs, 8) is theirs[0]
    assert choose_authenticator(MINE, 8) is None


@pytest.mark.parametrize("typed, stored", [
    ("eve@example.com", "eve@example.com"), ("  Eve@Example.COM \n", "eve@example.com"), ("", ""), (None, ""),
])
def test_normalise_email_strips_and_lower_cases(typed, stored):
    assert normalise_email(typed) == stored
