# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Sliding-window inference: published window alignment, clamping, range estimate, bad input."""

from hupr_ros.dsp import PreprocessingError, vrdae_map, VRDAEConfig
from hupr_ros.inference import estimate_person_range, NewestWindowWorker, PoseEstimator
from hupr_ros.model import build_model
from hupr_ros.radar.antenna import HORIZONTAL_MOUNT
from hupr_ros.sim.fmcw import synthesize_frame
import numpy as np
import pytest


def cube(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((16, 64, 64, 8)) +
            1j * rng.standard_normal((16, 64, 64, 8))).astype(np.complex64)


@pytest.fixture(scope='session')
def model():
    return build_model('baseline', num_filters=2).eval()


def test_centered_window_waits_three_frames_and_clamps(model):
    estimator = PoseEstimator(model, 'centered')
    assert estimator.latency_frames == 3
    cubes = [cube(i) for i in range(12)]
    windows = [estimator.push(1000 + i, cubes[i], cubes[i]) for i in range(12)]
    assert windows[:3] == [None, None, None]
    first = windows[3]
    assert first.target_stamp_ns == 1000 and first.newest_stamp_ns == 1003
    # published clamping at the start: window of target 0 is frames 0,0,0,0,0,1,2,3
    expected = [0, 0, 0, 0, 0, 1, 2, 3]
    inputs = [estimator.config and estimator_input(cubes[i]) for i in expected]
    np.testing.assert_array_equal(first.hori, np.stack(inputs))
    later = windows[11]                                    # target 8: frames 4..11
    assert later.target_stamp_ns == 1008
    np.testing.assert_array_equal(later.vert, np.stack([estimator_input(cubes[i])
                                                        for i in range(4, 12)]))


def estimator_input(c):
    from hupr_ros.data.cache import training_input
    return training_input(c, VRDAEConfig())[..., None]


def test_causal_window_has_no_latency(model):
    estimator = PoseEstimator(model, 'causal')
    assert estimator.latency_frames == 0
    first = estimator.push(5, cube(0), cube(1))
    assert first.target_stamp_ns == 5 and first.hori.shape == (8, 8, 2, 64, 64, 1)
    for i in range(1, 10):
        window = estimator.push(5 + i, cube(i), cube(i))
    assert window.target_stamp_ns == 14 == window.newest_stamp_ns
    result = estimator.infer(window)
    assert result.keypoints.shape == (14, 2) and result.confidence.shape == (14,)
    assert result.refined.shape == (14, 64, 64) and result.stamp_ns == 14
    assert ((0 <= result.keypoints) & (result.keypoints <= 252)).all()


def test_elevation_mean_window_gives_the_full_windows_heat_maps(model):
    """
    The live window keeps the input averaged over elevation (the network's first step).

    The same heat maps as the full published input, to float32 rounding.
    """
    import torch
    full = PoseEstimator(model, 'causal', elevation_mean=False)
    mean = PoseEstimator(model, 'causal')
    for i in range(8):
        a = full.push(i, cube(i), cube(i + 1))
        b = mean.push(i, cube(i), cube(i + 1))
    assert a.hori.shape[-1] == 8 and b.hori.shape[-1] == 1
    ra, rb = full.infer(a), mean.infer(b)
    torch.testing.assert_close(torch.from_numpy(rb.refined), torch.from_numpy(ra.refined),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ra.keypoints, rb.keypoints)


def test_bf16_is_opt_in_and_close_to_fp32(model):
    """
    fp32 stays the default (bit-identical to a plain forward pass).

    bf16 changes the heat maps only in the low digits.
    """
    import torch
    fp32 = PoseEstimator(model, 'causal')
    bf16 = PoseEstimator(model, 'causal', precision='bf16')
    assert fp32.precision == 'fp32'
    for i in range(8):
        window = fp32.push(i, cube(i), cube(i + 1))
        bf16.push(i, cube(i), cube(i + 1))
    a, b = fp32.infer(window), bf16.infer(window)
    with torch.inference_mode():
        plain = model(torch.from_numpy(window.hori)[None], torch.from_numpy(window.vert)[None])
    np.testing.assert_array_equal(a.refined, plain[1][0].numpy())
    assert b.refined.dtype == np.float32
    assert 0 < np.abs(a.refined - b.refined).max() < 0.05
    with pytest.raises(ValueError, match='precision'):
        PoseEstimator(model, 'causal', precision='int4')
    with pytest.raises(ValueError, match="needs device 'cuda'"):
        PoseEstimator(model, 'causal', precision='fp16')
    import torch
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match='no CUDA GPU'):
            PoseEstimator(model, 'causal', device='cuda')


def test_bad_cubes_and_parameters(model):
    estimator = PoseEstimator(model, 'causal')
    bad = cube(0)
    bad[1, 2, 3, 4] = np.nan
    with pytest.raises(PreprocessingError, match='NaN'):
        estimator.push(0, bad, cube(1))
    with pytest.raises(PreprocessingError, match='shape'):
        estimator.push(0, cube(0)[:8], cube(1))
    with pytest.raises(ValueError, match='alignment'):
        PoseEstimator(model, 'future')


def test_person_range_from_a_moving_target():
    for range_m in (1.6, 2.4, 3.5):
        position = np.array([[0.2, range_m, 0.0]])
        frame = synthesize_frame(position, [[0.0, 0.5, 0.0]], [500.0], mount=HORIZONTAL_MOUNT)
        assert abs(estimate_person_range(vrdae_map(frame)) - range_m) < 0.05


def test_precision_problem_names_emulated_bf16(monkeypatch):
    import hupr_ros.inference as inference
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: False)
    assert 'emulated' in inference.precision_problem('bf16', 'cpu')
    assert inference.precision_problem('fp32', 'cpu') is None
    assert inference.precision_problem('bf16', 'cuda') is None     # not this check's business
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: True)
    assert inference.precision_problem('bf16', 'cpu') is None


def test_newest_window_worker_drops_waiting_windows_never_queues_them():
    """While one window is handled, newer ones replace the waiting one (counted as dropped)."""
    import threading
    release, busy, handled, failed = threading.Event(), threading.Event(), [], []

    def handle(window, context):
        busy.set()
        release.wait(10)
        handled.append((window, context))
        if window == 'bad':
            raise RuntimeError('broken window')
        return window != 'last'

    worker = NewestWindowWorker(handle, lambda w, e: failed.append((w, str(e))) or True)
    assert worker.offer('first', 1) is False
    assert busy.wait(10)                         # 'first' is in flight
    assert worker.offer('second', 2) is False    # waiting
    assert worker.offer('third', 3) is True      # replaces 'second'
    assert worker.offer('bad', 4) is True        # replaces 'third'
    assert worker.dropped == 2
    release.set()
    for _ in range(200):
        if failed:
            break
        threading.Event().wait(0.05)
    assert [w for w, _ in handled] == ['first', 'bad'] and handled[0][1] == 1
    assert failed == [('bad', 'broken window')]    # the error went to on_error; thread goes on
    worker.offer('last')
    worker._thread.join(10)                      # handle returned False: the thread ended
    assert not worker.is_alive() and handled[-1][0] == 'last'
    worker.stop()


def test_newest_window_worker_clear_and_stop():
    worker = NewestWindowWorker(lambda w, c: True, lambda w, e: True)
    worker.stop()
    assert worker.stopping and not worker.is_alive()
    worker.offer('late')          # after stop: kept, never handled, no error
    worker.clear()


def test_auto_precision_is_bf16_only_where_the_cpu_has_bf16_kernels(monkeypatch):
    import hupr_ros.inference as inference
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: True)
    assert inference.resolve_precision('auto', 'cpu') == 'bf16'
    assert inference.resolve_precision('auto', 'cuda') == 'fp32'
    assert inference.resolve_precision('fp32', 'cpu') == 'fp32'
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: False)
    assert inference.resolve_precision('auto', 'cpu') == 'fp32'
    assert inference.precision_problem(inference.resolve_precision('auto', 'cpu')) is None


def test_a_pair_reduced_elsewhere_gives_the_same_window_as_its_cubes(model):
    # The preprocessing node reduces each pair to its FrameInput (RadarInputPair); pushing that
    # must give the window that pushing the cubes gives.
    from hupr_ros.window_input import frame_input
    here, there = PoseEstimator(model, 'causal'), PoseEstimator(model, 'causal')
    for i in range(9):
        a, b = cube(i), cube(100 + i)
        mine = here.push(1000 + i, a, b)
        reduced = frame_input(a, b, VRDAEConfig())
        theirs = there.push_input(1000 + i, type(reduced)(
            reduced.hori[..., 0].copy(), reduced.vert[..., 0].copy(), reduced.motion,
            reduced.presence_db))                      # as a message carries it: 4 axes
    np.testing.assert_array_equal(mine.hori, theirs.hori)
    np.testing.assert_array_equal(mine.vert, theirs.vert)
    assert (mine.person_range_m, mine.presence_db) == (theirs.person_range_m, theirs.presence_db)
    bad = [(reduced.hori[:4], 'horizontal network input has shape'),
           (reduced.hori[..., None], 'horizontal network input has shape'),   # an extra axis
           (np.where(reduced.hori > 0, np.nan, reduced.hori).astype(np.float32),
            'contains NaN'), (reduced.hori.astype(np.float64), 'must be float32')]
    for hori, message in bad:
        with pytest.raises(PreprocessingError, match=message):
            there.push_input(2000, type(reduced)(hori, reduced.vert, reduced.motion, 0.0))


@pytest.mark.parametrize('variant', ['baseline', 'realtime'])
def test_merging_each_frame_once_gives_the_same_heat_maps(variant):
    # merge_per_frame runs MNet on each frame when it is pushed; the window then holds MNet's
    # output, and the network the rest: the same heat maps as MNet on the whole window.
    import torch
    torch.manual_seed(0)
    net = build_model(variant, num_filters=2).eval()
    plain = PoseEstimator(net, 'causal')
    merged = PoseEstimator(net, 'causal', merge_per_frame=True)
    for i in range(10):
        a, b = cube(i), cube(50 + i)
        if i == 6:
            continue                 # a missing frame: filled from the one before, both ways
        window, window_merged = (e.push(1000 + i * 100_000_000, a, b) for e in (plain, merged))
    assert window_merged.merged and tuple(window_merged.hori.shape) == (8, 2, 64, 64)
    assert plain.filled == merged.filled == 1
    one, other = plain.infer(window), merged.infer(window_merged)
    np.testing.assert_allclose(other.refined, one.refined, atol=1e-5)
    np.testing.assert_allclose(other.initial, one.initial, atol=1e-5)
    np.testing.assert_array_equal(other.keypoints, one.keypoints)
