"""The job queue's pure rules: the wait before a failed job's next attempt, lock keys, the reason
an administrator gives, the line of an error the screens show."""
import pytest

from app.errors import ValidationError
from app.jobs.rules import MAX_REASON, checked_reason, last_line, lock_key, retry_delay_seconds


def test_retry_delay_doubles_from_five_seconds_up_to_ten_minutes():
    assert [retry_delay_seconds(n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 320, 600]
    assert retry_delay_seconds(10_000) == 600  # no overflow, however many failures


@pytest.mark.parametrize("attempts", [0, -1])
def test_retry_delay_needs_a_failure(attempts):
    with pytest.raises(ValueError, match="failed_attempts"):
        retry_delay_seconds(attempts)


def test_lock_key_is_per_municipality_or_system_wide():
    assert lock_key("residents.link", "046990") == "residents.link:046990"
    assert lock_key("residents.link", None) == "residents.link:*"
    assert lock_key(None, "046990") is None and lock_key("", "046990") is None


def test_checked_reason_is_stripped_and_refuses_empty_long_and_control_characters():
    assert checked_reason("  停止のため \n", "取り消す") == "停止のため"
    assert checked_reason("あ" * MAX_REASON, "取り消す") == "あ" * MAX_REASON
    for bad, code in ((None, "reason_required"), ("  ", "reason_required"), ("あ" * (MAX_REASON + 1), "reason_invalid"),
                      ("停止\x00", "reason_invalid"), ("停\x7f止", "reason_invalid"), ("停\n止", "reason_invalid")):
        with pytest.raises(ValidationError) as refused:
            checked_reason(bad, "取り消す")
        assert refused.value.code == code, bad
    with pytest.raises(ValidationError, match="取り消す理由を入力してください"):
        checked_reason("", "取り消す")


def test_last_line_of_an_error():
    assert last_line("Traceback\n  File x\nRuntimeError: 接続が切れました\n\n") == "RuntimeError: 接続が切れました"
    assert last_line("") == "" and last_line(None) == ""
    assert last_line("x" * 300) == "x" * 200 and last_line("x" * 300, 120) == "x" * 120
