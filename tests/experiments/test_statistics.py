"""The statistics an experiment reports, checked against what they promise: the sample-ratio
check flags a broken split and not a fair one, the always-valid test keeps its error rate
under continuous peeking (where the fixed test read after every batch does not), the sample
size gives the power it states, and the intervals cover."""

from __future__ import annotations

import numpy as np
import pytest

from batondesk.experiments.statistics import (
    always_valid_p_value,
    difference_interval,
    required_sample_size,
    sample_ratio_check,
    two_proportion_p_value,
    wilson_interval,
)

SHARES = {"control": 0.5, "variant": 0.5}


def test_sample_ratio_mismatch_flags_a_broken_split_only() -> None:
    # 50.4% / 49.6% of 10,000 is chance; 52% / 48% is a bug (p ~ 6e-5).
    assert not sample_ratio_check({"control": 5040, "variant": 4960}, SHARES).mismatch
    broken = sample_ratio_check({"control": 5200, "variant": 4800}, SHARES)
    assert broken.mismatch and broken.p_value is not None and broken.p_value < 0.001
    # Against unequal weights: 1:3 observed as 1:3 is fine, as 1:1 is not.
    shares = {"control": 0.25, "variant": 0.75}
    assert not sample_ratio_check({"control": 2510, "variant": 7490}, shares).mismatch
    assert sample_ratio_check({"control": 5000, "variant": 5000}, shares).mismatch
    assert sample_ratio_check({"control": 0, "variant": 0}, SHARES).p_value is None


def test_sample_ratio_check_false_alarms_stay_rare_under_a_fair_split() -> None:
    rng = np.random.default_rng(7)
    alarms = sum(
        sample_ratio_check({"control": int(n), "variant": 4000 - int(n)}, SHARES).mismatch
        for n in rng.binomial(4000, 0.5, size=2000)
    )
    assert alarms / 2000 <= 0.003  # the threshold is 0.001


def _peeking_runs(
    rng: np.random.Generator, rate_control: float, rate_variant: float, runs: int, n: int
) -> tuple[np.ndarray, ...]:
    """Cumulative counts after each of `n` pairs of customers, for `runs` experiments."""
    control = rng.random((runs, n)) < rate_control
    variant = rng.random((runs, n)) < rate_variant
    trials = np.arange(1, n + 1)
    return control.cumsum(axis=1), trials, variant.cumsum(axis=1), trials


def test_the_always_valid_test_keeps_its_error_rate_when_read_after_every_customer() -> None:
    """A/A, read after every pair of customers up to 2,000 each: the mSPRT rejects in at most
    5% of runs (Ville's inequality; in practice well under), while the fixed z-test read at
    every 100th customer "finds" a difference far more often than 5%."""
    rng = np.random.default_rng(11)
    cs, cn, ts, tn = _peeking_runs(rng, 0.6, 0.6, runs=400, n=2000)
    sequential = [
        always_valid_p_value(cs[r], cn, ts[r], tn, tau=0.05) < 0.05 for r in range(len(cs))
    ]
    peeked_fixed = [
        any(
            (p := two_proportion_p_value((int(cs[r, k]), k + 1), (int(ts[r, k]), k + 1)))
            is not None
            and p < 0.05
            for k in range(99, 2000, 100)
        )
        for r in range(len(cs))
    ]
    assert np.mean(sequential) <= 0.05
    assert np.mean(peeked_fixed) > 0.1  # why the fixed test must not be peeked at


def test_the_always_valid_test_finds_a_real_difference() -> None:
    rng = np.random.default_rng(12)
    cs, cn, ts, tn = _peeking_runs(rng, 0.5, 0.6, runs=100, n=2000)
    found = [always_valid_p_value(cs[r], cn, ts[r], tn, tau=0.05) < 0.05 for r in range(100)]
    assert np.mean(found) >= 0.9


def test_the_one_sided_guardrail_test_only_fires_on_worsening_beyond_the_margin() -> None:
    rng = np.random.default_rng(13)
    # Hand-overs up from 20% to 35%: worse by 15 points, well beyond a 5-point margin.
    cs, cn, ts, tn = _peeking_runs(rng, 0.2, 0.35, runs=50, n=2000)
    worse = [
        always_valid_p_value(cs[r], cn, ts[r], tn, tau=0.05, null=0.05, worse_if=1) < 0.05
        for r in range(50)
    ]
    assert np.mean(worse) >= 0.9
    # Up by 4 points, within the margin: it does not breach.
    cs, cn, ts, tn = _peeking_runs(rng, 0.2, 0.24, runs=50, n=2000)
    within = [
        always_valid_p_value(cs[r], cn, ts[r], tn, tau=0.05, null=0.05, worse_if=1) < 0.05
        for r in range(50)
    ]
    assert np.mean(within) <= 0.05
    # Down from 30% to 20% (better) never breaches, however clear.
    cs, cn, ts, tn = _peeking_runs(rng, 0.3, 0.2, runs=50, n=2000)
    better = [
        always_valid_p_value(cs[r], cn, ts[r], tn, tau=0.05, null=0.05, worse_if=1) < 0.05
        for r in range(50)
    ]
    assert not any(better)


@pytest.mark.parametrize(("baseline", "effect"), [(0.3, 0.05), (0.6, 0.05), (0.8, 0.1)])
def test_the_sample_size_gives_the_power_it_states(baseline: float, effect: float) -> None:
    n = required_sample_size(baseline, effect)
    rng = np.random.default_rng(int(baseline * 100))
    # 20,000 simulated experiments: the detection rate is known to +-0.3 points.
    control = rng.binomial(n, baseline, size=20_000)
    variant = rng.binomial(n, baseline + effect, size=20_000)
    detected = [
        (p := two_proportion_p_value((int(c), n), (int(v), n))) is not None and p < 0.05
        for c, v in zip(control, variant, strict=True)
    ]
    assert 0.795 <= np.mean(detected) <= 0.86


def test_a_smaller_share_needs_more_traffic_and_a_smaller_effect_more_customers() -> None:
    assert required_sample_size(0.6, 0.02) > required_sample_size(0.6, 0.05) * 5
    # Control with a third of the traffic: the variant needs twice control's count.
    assert required_sample_size(0.6, 0.05, ratio=2.0) < required_sample_size(0.6, 0.05)
    # A change that would pass 100% is taken downwards.
    assert required_sample_size(0.97, 0.05) > 0


def test_intervals() -> None:
    low, high = wilson_interval(60, 100)
    assert 0.50 < low < 0.6 < high < 0.70
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 50)[0] == pytest.approx(0.0, abs=1e-12)
    interval = difference_interval((600, 1000), (650, 1000))
    assert interval is not None and interval[0] < 0.05 < interval[1] and interval[0] > 0
    assert difference_interval((0, 0), (1, 2)) is None
    # Too few trials, or nothing varies: no test rather than a misleading one.
    assert two_proportion_p_value((5, 10), (9, 10)) is None
    assert two_proportion_p_value((0, 100), (0, 100)) is None
