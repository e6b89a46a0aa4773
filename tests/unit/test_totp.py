"""portal.twofactor.totp's pure parts: reading a typed code and finding the step it belongs to (RFC 6238)."""
import base64

import pytest

from portal.twofactor.totp import DRIFT, STEP, matching_step, normalise

# RFC 6238, Appendix B: the SHA-1 seed "12345678901234567890"; a 6-digit code is the last six of the 8-digit one.
SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [  # (Unix time, 8-digit TOTP from the RFC)
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize("at, code8", RFC_VECTORS)
def test_rfc_6238_vectors_match_their_own_step(at, code8):
    assert matching_step(SECRET, code8[-6:], at) == at // 30


def test_the_step_and_the_drift_are_30_seconds_and_one_step():
    assert (STEP, DRIFT) == (30, 1)


T, CODE = 1111111109, "081804"  # step 37037036 runs from 1111111080 to 1111111109.999...
S = T // 30


@pytest.mark.parametrize("at", [
    S * 30 - 30,           # the first instant of the step before: a phone one step fast
    S * 30 - 0.001,
    S * 30, T,             # its own step
    S * 30 + 30,           # the step after: a phone one step slow
    S * 30 + 59.999,       # the last instant of the step after
])
def test_one_step_of_drift_either_way_is_accepted(at):
    assert matching_step(SECRET, CODE, at) == S


@pytest.mark.parametrize("at", [
    S * 30 - 30 - 0.001,   # the last instant two steps before
    S * 30 - 60,
    S * 30 + 60,           # the first instant two steps after
    S * 30 + 89.999,
    S * 30 + 3600,
])
def test_two_steps_or_more_away_is_refused(at):
    assert matching_step(SECRET, CODE, at) is None


def test_the_next_steps_code_is_found_at_its_own_step_not_the_earlier_one():
    # 1111111111 is the step after T: its code checked at T is one step of drift ahead, and names its own step.
    assert matching_step(SECRET, "050471", T) == S + 1
    assert matching_step(SECRET, "050471", 1111111111) == S + 1


@pytest.mark.parametrize("typed", [" 081804", "081804 ", "081 804", "08 18 04", "081\t804\n", "081\u00a0804"])
def test_spaces_a_person_types_or_pastes_are_ignored(typed):
    assert matching_step(SECRET, typed, T) == S


@pytest.mark.parametrize("typed", [
    "08180", "0818040", "81804", "", None, "   ",      # wrong length
    "08180a", "081-804", "+81804", "08180.", "0x1804",  # not digits
    "\uff10\uff18\uff11\uff18\uff10\uff14",            # fullwidth digits: isdigit(), but not ASCII
    "\u0660\u0668\u0661\u0668\u0660\u0664",            # Arabic-Indic digits
    "081805",                                          # the right shape, the wrong code
])
def test_anything_but_six_ascii_digits_of_the_right_code_is_refused(typed):
    assert matching_step(SECRET, typed, T) is None


@pytest.mark.parametrize("typed, kept", [
    ("123456", "123456"), (" 123 456 ", "123456"), ("1\t2\n3 4\r5 6", "123456"), ("12\u00a034", "1234"),
    ("", ""), (None, ""), ("abc def", "abcdef"),
])
def test_normalise_drops_all_whitespace_and_keeps_the_rest(typed, kept):
    assert normalise(typed) == kept
