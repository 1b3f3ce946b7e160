"""The 空間分析 job's steps as the progress bar shows them."""
from app.maps.rules import ANALYSIS_STEPS, analysis_step


def test_analysis_steps_are_the_four_lists_in_order():
    assert [label for _, label, _ in ANALYSIS_STEPS] == ["住民", "要支援者", "建物", "避難所"]
    starts = [start for _, _, start in ANALYSIS_STEPS]
    assert starts == sorted(starts) and starts[0] > 0 and starts[-1] < 100


def test_analysis_step_counts_finished_steps():
    assert analysis_step(0, "queued") == 0
    assert analysis_step(5, "running") == 0  # 住民 under way
    assert analysis_step(60, "running") == 1  # 住民 done, 要支援者 under way
    assert analysis_step(90, "running") == 3
    assert analysis_step(90, "done") == 4
    assert analysis_step(30, "failed") == 0
