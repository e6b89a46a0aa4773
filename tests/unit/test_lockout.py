"""portal.twofactor.lockout's pure parts: the delay schedule and which charge starts a lock."""
import pytest

from portal.twofactor import lockout
from portal.twofactor.lockout import Charge, delay_after, newly_locked

# failures charged -> seconds to wait before the next attempt: 5 free, then 30 s doubling, 15 minutes from 10 on.
SCHEDULE = [
    (0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0),
    (6, 30), (7, 60), (8, 120), (9, 240),
    (10, 900), (11, 900), (15, 900), (19, 900), (20, 900), (25, 900),
]


@pytest.mark.parametrize("failures, seconds", SCHEDULE)
def test_delay_after_follows_the_schedule(failures, seconds):
    assert delay_after(failures) == seconds


def test_schedule_constants_are_the_documented_ones():
    assert (lockout.FREE_FAILURES, lockout.FIRST_DELAY, lockout.TEMP_LOCK_AT, lockout.TEMP_LOCK_SECONDS,
            lockout.ADMIN_LOCK_AT) == (5, 30, 10, 15 * 60, 20)


def test_each_delay_before_the_lock_doubles_the_one_before():
    delays = [delay_after(n) for n in range(6, 10)]
    assert delays[0] == 30 and all(later == 2 * earlier for earlier, later in zip(delays, delays[1:]))


@pytest.mark.parametrize("failures", [-1, -100])
def test_delay_after_a_negative_count_is_no_delay(failures):
    assert delay_after(failures) == 0


@pytest.mark.parametrize("charge, lock", [
    (Charge(True, 10), "temporary"),
    (Charge(True, 20), "admin"),
    (Charge(True, 0), None),
    (Charge(True, 5), None),
    (Charge(True, 9), None),
    (Charge(True, 11), None),  # already locked by the 10th: no second notice
    (Charge(True, 19), None),
    (Charge(True, 21), None),
    (Charge(False, 10), None),  # a refused attempt was not charged, so it starts nothing
    (Charge(False, 20, admin_locked=True), None),
])
def test_newly_locked_names_the_lock_this_charge_started(charge, lock):
    assert newly_locked(charge) == lock
