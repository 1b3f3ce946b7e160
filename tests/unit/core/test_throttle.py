"""The throttle's Retry-After at its boundaries (app/throttle.py): whole seconds until the oldest
counted event leaves the window, never 0 while one is counted; a limit of 0 admits nothing."""
from datetime import UTC, datetime, timedelta

import pytest

from app import throttle

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
MINUTE, TEN_MINUTES = timedelta(minutes=1), timedelta(seconds=600)


@pytest.mark.parametrize(("age", "window", "seconds"), [
    (timedelta(0), TEN_MINUTES, 600),
    (timedelta(seconds=30), MINUTE, 30),
    (timedelta(seconds=59.5), MINUTE, 1),
    (timedelta(seconds=599, microseconds=500_000), TEN_MINUTES, 1),
    (timedelta(seconds=599, microseconds=1), TEN_MINUTES, 1),
    (timedelta(seconds=598, microseconds=999_999), TEN_MINUTES, 2),
    (TEN_MINUTES, TEN_MINUTES, 1),  # never 0: Retry-After asks for a wait
])
def test_retry_after_counts_whole_seconds_until_the_oldest_event_leaves_the_window(age, window, seconds):
    assert throttle.seconds_until(NOW - age, window, NOW) == seconds


def test_a_limit_of_nothing_holds_every_call_back_for_a_whole_window():
    assert throttle.wait(None, "kiosk-sessions:demo-mart", throttle.Limit(0, MINUTE)) == 60
