"""The statistics of an experiment, from counts: confidence intervals, the two-proportion test,
the sample-ratio-mismatch check, the sample size needed, and an always-valid sequential test.
Library code does the work (statsmodels, scipy); the sequential test is the one formula
written out here, with its source.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chisquare
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

ALPHA = 0.05
POWER = 0.8
# A sample-ratio mismatch this unlikely under the weights means the assignment or the
# logging is broken, not bad luck; 0.001 is the usual threshold (Kohavi et al., "Trustworthy
# Online Controlled Experiments", ch. 21), strict because the check is read many times.
SRM_ALPHA = 0.001
# Below this many trials in an arm the normal approximations behind the tests do not hold.
MIN_TRIALS = 30


def wilson_interval(successes: int, trials: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) with no trials."""
    if trials == 0:
        return 0.0, 1.0
    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return float(low), float(high)


def difference_interval(
    control: tuple[int, int], treatment: tuple[int, int], alpha: float = ALPHA
) -> tuple[float, float] | None:
    """Newcombe's interval for treatment's rate minus control's; None without trials.
    Arguments are (successes, trials)."""
    if control[1] == 0 or treatment[1] == 0:
        return None
    low, high = confint_proportions_2indep(
        treatment[0], treatment[1], control[0], control[1], method="newcomb", alpha=alpha
    )
    return float(low), float(high)


def two_proportion_p_value(control: tuple[int, int], treatment: tuple[int, int]) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test (statsmodels
    `proportions_ztest`); valid when read once, at the planned sample size. None while an arm
    has fewer than MIN_TRIALS trials or the pooled rate is 0 or 1 (no variance to test)."""
    if min(control[1], treatment[1]) < MIN_TRIALS:
        return None
    pooled = (control[0] + treatment[0]) / (control[1] + treatment[1])
    if pooled in (0.0, 1.0):
        return None
    _, p_value = proportions_ztest(
        [treatment[0], control[0]], [treatment[1], control[1]], alternative="two-sided"
    )
    return float(p_value)


@dataclass(frozen=True)
class SampleRatioCheck:
    p_value: float | None
    mismatch: bool
    expected_shares: dict[str, float]
    observed: dict[str, int]


def sample_ratio_check(observed: dict[str, int], shares: dict[str, float]) -> SampleRatioCheck:
    """Pearson's chi-square of the arms' customer counts against the weights (scipy
    `chisquare`). A mismatch (p < SRM_ALPHA) invalidates every other figure of the experiment."""
    total = sum(observed.values())
    if total == 0:
        return SampleRatioCheck(None, False, shares, observed)
    keys = list(shares)
    _, p_value = chisquare([observed.get(k, 0) for k in keys], [shares[k] * total for k in keys])
    return SampleRatioCheck(float(p_value), bool(p_value < SRM_ALPHA), shares, observed)


@functools.lru_cache(maxsize=256)  # a root-finding per call; results pages ask again and again
def required_sample_size(
    baseline: float,
    effect: float,
    *,
    ratio: float = 1.0,
    alpha: float = ALPHA,
    power: float = POWER,
) -> int:
    """Customers (trials) needed in the control arm to detect a change of `effect` (absolute)
    from `baseline` with the two-sided two-proportion test at `alpha` and `power`; a treatment
    arm with `ratio` times control's weight needs `ratio` times as many.

    Cohen's h (statsmodels `proportion_effectsize`) and `NormalIndPower`, then Fleiss'
    continuity correction, n' = n/4 * (1 + sqrt(1 + 2(1 + 1/ratio)/(n |d|)))^2 (Fleiss, Levin
    and Paik, "Statistical Methods for Rates and Proportions"): the normal approximation
    alone gives just under the stated power at these sizes. The change is taken
    upwards unless that passes 1."""
    target = baseline + effect if baseline + effect < 1 else baseline - effect
    size = proportion_effectsize(target, baseline)
    n = float(
        NormalIndPower().solve_power(
            effect_size=abs(size), alpha=alpha, power=power, ratio=ratio, alternative="two-sided"
        )
    )
    corrected = n / 4 * (1 + math.sqrt(1 + 2 * (1 + 1 / ratio) / (n * abs(effect)))) ** 2
    return math.ceil(corrected)


def mixture_likelihood_ratio(
    difference: np.ndarray, variance: np.ndarray, tau: float, null: float = 0.0
) -> np.ndarray:
    """The mixture sequential probability ratio (mSPRT) of H0: theta = `null`, where the
    observed `difference` of two rates is taken as N(theta, `variance`) and theta is mixed
    over N(`null`, tau^2):

        Lambda = sqrt(V / (V + tau^2)) * exp(tau^2 (d - null)^2 / (2 V (V + tau^2)))

    (Johari, Koomen, Pekelis and Walsh, "Always Valid Inference: Continuous Monitoring of A/B
    Tests", Operations Research 70(3), 2022, section 4, with V = sigma_A^2/n_A +
    sigma_B^2/n_B.) Under H0, Lambda is a nonnegative martingale with mean 1, so by Ville's
    inequality P(Lambda ever reaches 1/alpha) <= alpha: the test may be read after every
    customer and the experiment stopped the first time it crosses."""
    total = variance + tau**2
    return np.sqrt(variance / total) * np.exp(
        tau**2 * (difference - null) ** 2 / (2 * variance * total)
    )


def always_valid_p_value(
    control_successes: Sequence[int] | np.ndarray,
    control_trials: Sequence[int] | np.ndarray,
    treatment_successes: Sequence[int] | np.ndarray,
    treatment_trials: Sequence[int] | np.ndarray,
    *,
    tau: float,
    null: float = 0.0,
    worse_if: float = 0.0,
) -> float:
    """The always-valid p-value after every look: min over looks of 1/Lambda (capped at 1).
    The arguments are cumulative counts, one entry per look (e.g. after each customer).

    The variance is the plug-in sum of the arms' Bernoulli variances (the paper's choice for
    proportions); looks where an arm has fewer than MIN_TRIALS trials or no variance are
    skipped. `worse_if` (+1 or -1) makes it one-sided: only looks where (treatment - control
    - null) has that sign count, for guardrails ("worse by more than `null`")."""
    cs, cn = np.asarray(control_successes, float), np.asarray(control_trials, float)
    ts, tn = np.asarray(treatment_successes, float), np.asarray(treatment_trials, float)
    usable = (cn >= MIN_TRIALS) & (tn >= MIN_TRIALS)
    if not usable.any():
        return 1.0
    cs, cn, ts, tn = cs[usable], cn[usable], ts[usable], tn[usable]
    control_rate, treatment_rate = cs / cn, ts / tn
    variance = control_rate * (1 - control_rate) / cn + treatment_rate * (1 - treatment_rate) / tn
    difference = treatment_rate - control_rate
    keep = variance > 0
    if worse_if:
        keep &= np.sign(difference - null) == np.sign(worse_if)
    if not keep.any():
        return 1.0
    ratio = mixture_likelihood_ratio(difference[keep], variance[keep], tau, null)
    return float(min(1.0, 1.0 / float(np.max(ratio))))
