# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""One-Euro filter: less jitter at rest, bounded lag when moving, restarts across gaps."""

from hupr_ros.filters import OneEuroFilter
import numpy as np
import pytest


def run(filter_, values, rate=10.0):
    return np.stack([filter_(v, k / rate) for k, v in enumerate(values)])


def test_static_jitter_is_reduced():
    rng = np.random.default_rng(0)
    truth = np.full((14, 2), 128.0)
    noisy = truth + rng.normal(0, 4, (100, 14, 2))
    smooth = run(OneEuroFilter(min_cutoff=0.5, beta=0.0), noisy)
    jitter = lambda x: np.abs(np.diff(x, axis=0)).mean()  # noqa: E731
    assert jitter(smooth[10:]) < 0.4 * jitter(noisy[10:])
    assert np.abs(smooth[20:] - truth).mean() < np.abs(noisy[20:] - truth).mean()


def test_moving_input_lags_little_with_beta():
    ramp = np.arange(60)[:, None, None] * np.full((1, 14, 2), 8.0)      # 80 px/s
    slow = run(OneEuroFilter(min_cutoff=0.5, beta=0.0), ramp)
    fast = run(OneEuroFilter(min_cutoff=0.5, beta=0.05), ramp)
    lag_slow = (ramp[-1] - slow[-1]).mean()
    lag_fast = (ramp[-1] - fast[-1]).mean()
    assert 0 < lag_fast < 0.5 * lag_slow
    np.testing.assert_allclose(run(OneEuroFilter(), np.ones((5, 3))), np.ones((5, 3)))


def test_gap_and_reset_restart_the_filter():
    f = OneEuroFilter(max_gap_s=0.5)
    f(np.zeros(2), 0.0)
    f(np.zeros(2), 0.1)
    np.testing.assert_array_equal(f(np.full(2, 50.0), 2.0), [50.0, 50.0])    # gap: no smoothing
    f.reset()
    np.testing.assert_array_equal(f(np.full(2, 7.0), 2.1), [7.0, 7.0])
    assert f(np.full(2, 9.0), 2.2)[0] < 9.0


def test_bad_input_and_parameters():
    with pytest.raises(ValueError, match='NaN'):
        OneEuroFilter()(np.array([np.nan]), 0.0)
    with pytest.raises(ValueError, match='positive'):
        OneEuroFilter(min_cutoff=0)
