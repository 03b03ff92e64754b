# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Live pose estimation from a stream of radar-cube pairs (no ROS).

:class:`PoseEstimator` keeps the sliding window of the last N normalised frame pairs and runs
the network on it. Window alignment:

- ``centered`` (published): the window of target frame ``t`` is ``t-4 .. t+3``; the
  prediction for ``t`` can only be made once ``t+3`` arrived, i.e. 0.3 s (3 frames at 10 Hz)
  after ``t`` plus inference time. Use it with the published weights.
- ``causal``: the window is ``t-7 .. t``; no look-ahead, so the skeleton is as fresh as the
  radar data. Weights must have been trained with causal windows (same frames, different
  target), otherwise the skeleton lags the body by the 3-frame offset.

At the start of a stream indices are clamped to the first frame, as the published code does
at the start of a sequence.

Two optional stages follow the network: presence (:mod:`hupr_ros.presence`: no skeleton when
the radars see nobody; decided per target frame from radar energy, with hysteresis) and
temporal smoothing (:class:`hupr_ros.filters.OneEuroFilter` on the keypoints).
"""

from collections import deque
import copy
from dataclasses import dataclass
import os
import threading
import time
from typing import Any, Callable, Deque, Optional, Tuple

from hupr_ros.dsp import frame_window, PreprocessingError, VRDAEConfig
from hupr_ros.dsp.axes import range_values
from hupr_ros.filters import OneEuroFilter
from hupr_ros.model import decode, HuPRNet
from hupr_ros.model.quantize import int8_problem, quantized
from hupr_ros.presence import motion_map, PresenceDetector
from hupr_ros.window_input import frame_input, FrameInput
import numpy as np
import torch

ALIGNMENTS = ('centered', 'causal')
#: Inference numerics: fp32 (default, the published numbers) and the opt-in reduced ones.
PRECISIONS = ('fp32', 'bf16', 'int8', 'fp16')


def with_precision(model: HuPRNet, precision: str) -> Tuple[HuPRNet, torch.dtype]:
    """
    Return the model to run in ``precision`` (:data:`PRECISIONS`) and its input dtype.

    fp32 returns ``model`` itself; bf16 / fp16 return a copy whose weights and activations are
    bfloat16 / float16 (on CPUs with AVX-512 BF16, oneDNN's bf16 kernels: docs/benchmarks.md gives
    the speed-up and the change in outputs). Outputs then need ``.float()``. int8 returns a copy
    whose encoders run in int8 with the model's calibration (:mod:`hupr_ros.model.quantize`;
    raises its CalibrationError, a ValueError, when there is none); it takes float32.
    """
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of {PRECISIONS}, got {precision!r}')
    if precision == 'fp32':
        return model, torch.float32
    if precision == 'int8':
        return quantized(model), torch.float32
    dtype = torch.bfloat16 if precision == 'bf16' else torch.float16
    return copy.deepcopy(model).to(dtype), dtype


def cpu_has_native_bf16() -> bool:
    """Whether oneDNN has bfloat16 kernels on this CPU (AVX-512 BF16 or AMX); else it emulates."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def auto_threads() -> int:
    """Torch threads for inference when none are given: half the cores, 1 to 4."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def resolve_precision(precision: str, device: str = 'cpu',
                      model: Optional[HuPRNet] = None) -> str:
    """
    Return the precision ``'auto'`` means here for ``model``; any other value as it is.

    ``'auto'``: bf16 on a CPU with native bfloat16 kernels (AVX-512 BF16 or AMX), where it runs
    the shipped model about 2.5x faster with the same accuracy (within 0.1 AP on the held-out
    split, docs/benchmarks.md); else int8 where torch has its x86 int8 engine and ``model``
    carries an int8 calibration (the shipped models do: docs/benchmarks.md gives its speed and
    accuracy); fp32 on every other CPU, for models without a calibration, and on CUDA.
    """
    if precision != 'auto':
        return precision
    if torch.device(device).type != 'cpu':
        return 'fp32'
    if cpu_has_native_bf16():
        return 'bf16'
    if model is not None and precision_problem('int8', device, model) is None:
        return 'int8'
    return 'fp32'


def precision_problem(precision: str, device: str = 'cpu',
                      model: Optional[HuPRNet] = None) -> Optional[str]:
    """
    Say why ``precision`` should not be used on ``device`` here (None: nothing against it).

    bfloat16 on a CPU without native bf16 kernels runs emulated: the shipped model took 16 s per
    window instead of 0.1 s on an AVX2 machine (docs/benchmarks.md), a pose node that would
    publish nothing. int8 runs on the CPU only, with torch's x86 engine, and needs the model's
    calibration (``model``; not checked when None).
    """
    cpu = torch.device(device).type == 'cpu'
    if precision == 'bf16' and cpu and not cpu_has_native_bf16():
        return (f"precision 'bf16' on this CPU ({torch.backends.cpu.get_cpu_capability()}) has "
                'no native bfloat16 kernels (AVX-512 BF16 or AMX): it runs emulated, about 150x '
                "slower than 'fp32'. Use precision 'fp32' or 'int8'")
    if precision == 'int8':
        if not cpu:
            return f"precision 'int8' runs on the CPU only, not on {device!r}"
        problem = int8_problem()
        if problem:
            return problem
        if model is not None and model.int8_calibration is None:
            return f"precision 'int8': {model.int8_problem}"
    return None


@dataclass
class Window:
    """One network input: stamps of its frames, target index and the stacked inputs."""

    target_stamp_ns: int
    newest_stamp_ns: int
    hori: Any                 # float32 (N, K, 2, R, A, E), E = 1 when averaged over elevation;
    vert: Any                 # merged: a tensor (N, F, R, A) of MNet's per-frame output
    person_range_m: float
    presence_db: float = float('inf')    # target frame's motion energy (both radars' mean)
    present: bool = True                 # presence decision for the target frame
    merged: bool = False                 # frames already through MNet (merge_per_frame)


@dataclass
class PoseResult:
    stamp_ns: int
    keypoints: np.ndarray     # float32 (14, 2) pixels
    confidence: np.ndarray    # float32 (14,)
    initial: np.ndarray       # float32 (14, 64, 64)
    refined: np.ndarray       # float32 (14, 64, 64)
    person_range_m: float
    inference_s: float
    present: bool = True      # False: nobody in front of the radars; publish no skeleton
    presence_db: float = float('inf')


def estimate_person_range(cube: np.ndarray, config: VRDAEConfig = VRDAEConfig()) -> float:
    """
    Range (m) of the strongest moving reflector in a VRDAEMap.

    :param cube: complex (doppler, range, azimuth, elevation); the zero-Doppler bin (static
        clutter, removed upstream) is ignored. Or its (range, azimuth)
        :func:`hupr_ros.presence.motion_map`.
    """
    if cube.ndim != 2:      # the RAEMap has no zero-Doppler bin to leave out
        cube = motion_map(cube) if config.representation == 'vrdaemap' else \
            (np.abs(cube) ** 2).sum(axis=(0, 3))
    return float(range_values(config)[int(np.argmax(cube.sum(axis=1)))])


class PoseEstimator:
    """
    Sliding-window HuPRNet inference.

    :param model: a HuPRNet in eval mode.
    :param alignment: 'centered' or 'causal' (see module docstring).
    :param device: torch device for inference.
    :param subpixel: sub-pixel decoding (off = published decoding).
    :param presence: decides whether anybody is there (None: always publish a skeleton).
    :param smoother: One-Euro filter for the keypoints (None: raw keypoints, the default).
    :param precision: 'fp32' (default: the published numbers), or the opt-in 'bf16' (a bfloat16
        copy of the model: oneDNN's AVX-512 BF16 kernels on CPUs that have them), 'int8' (the
        encoders in int8, with the model's calibration) or 'fp16' (CUDA only); see
        :func:`with_precision`. Heat maps then differ from fp32 in the 3rd digit
        (docs/benchmarks.md gives the measured change).
    :param max_gap_s: a longer step between consecutive pushed frames (an outage: an upstream
        restart, a sensor that stopped) restarts the window instead of letting it span the gap
        (None: never). Shorter gaps (frames lost in transport or dropped by a busy CPU) keep
        the window: each missing frame is filled with the frame before it, so the window keeps
        its frame spacing and the presence decision its history (docs/benchmarks.md gives the
        accuracy of this policy against restarting and against skipping the missing frames).
    :param elevation_mean: keep each frame's input already averaged over elevation, the network's
        first operation (as the training cache does): windows 8x smaller to assemble and move, the
        same numbers to float32 rounding. False keeps the full (K, 2, R, A, E) input (the published
        computation, bit for bit).
    :param merge_per_frame: with ``elevation_mean``, run MNet (the per-frame Doppler merge) on
        each frame once, when it is pushed, and keep its output in the window (half the size of
        the input), instead of on all N frames of every window: the same numbers to float
        rounding, about 5% of a live node's CPU (docs/benchmarks.md).
    """

    def __init__(self, model: HuPRNet, alignment: str = 'centered', device: str = 'cpu',
                 subpixel: bool = False, config: VRDAEConfig = None,
                 presence: Optional[PresenceDetector] = None,
                 smoother: Optional[OneEuroFilter] = None,
                 max_gap_s: Optional[float] = None, elevation_mean: bool = True,
                 precision: str = 'fp32', merge_per_frame: bool = False) -> None:
        if alignment not in ALIGNMENTS:
            raise ValueError(f'alignment must be one of {ALIGNMENTS}, got {alignment!r}')
        if precision not in PRECISIONS:
            raise ValueError(f'precision must be one of {PRECISIONS}, got {precision!r}')
        if torch.device(device).type == 'cuda' and not torch.cuda.is_available():
            raise ValueError(f'device {device!r}: torch sees no CUDA GPU here (torch '
                             f"{torch.__version__}); use device 'cpu'")
        if precision == 'fp16' and torch.device(device).type != 'cuda':
            raise ValueError("precision 'fp16' needs device 'cuda' (on CPU use 'bf16')")
        if precision == 'int8' and torch.device(device).type != 'cpu':
            raise ValueError(f"precision 'int8' runs on the CPU only, not on {device!r}")
        self.precision = precision
        model, self.input_dtype = with_precision(model, precision)
        self.model = model.eval().to(device)
        self.device = torch.device(device)
        self.alignment = alignment
        self.subpixel = subpixel
        n = model.config.num_frames
        self.config = config or VRDAEConfig(num_input_doppler=model.config.num_doppler)
        self.presence, self.smoother = presence, smoother
        # (stamp, hori input, vert input, person range m, presence score dB)
        self._frames: Deque[Tuple[int, np.ndarray, np.ndarray, float, float]] = deque(maxlen=n)
        self._count = 0
        self.max_gap_ns = None if max_gap_s is None else int(max_gap_s * 1e9)
        self.elevation_mean = elevation_mean
        self.merge_per_frame = merge_per_frame and elevation_mean
        self.restarts = 0          # windows restarted after a gap
        self.filled = 0            # missing frames filled from the frame before them
        self.last_gap_s = 0.0
        self.period_ns = int(round(self.config.chirp.frame_period * 1e9))

    def reset(self) -> None:
        """
        Forget the window (after a gap in the stream).

        The next windows hold only frames that follow it, clamped at its start as at the start of a
        stream.
        """
        self._frames.clear()
        self._count = 0
        if self.presence is not None:
            self.presence.reset()
        if self.smoother is not None:
            self.smoother.reset()

    @property
    def latency_frames(self) -> int:
        """Frames between the target frame and the newest frame of its window."""
        n = self.model.config.num_frames
        return n - 1 - n // 2 if self.alignment == 'centered' else 0

    def push(self, stamp_ns: int, hori_cube: np.ndarray, vert_cube: np.ndarray
             ) -> Optional[Window]:
        """
        Add one frame pair (complex cubes (16, 64, 64, 8)).

        Return the window to infer on, or None while the first target is not complete yet.

        :raises PreprocessingError: a cube has the wrong shape / dtype or NaN.
        """
        return self.push_input(stamp_ns, self.frame_input(hori_cube, vert_cube))

    def frame_input(self, hori_cube: np.ndarray, vert_cube: np.ndarray) -> FrameInput:
        """Return what the window keeps of one cube pair (:func:`frame_input`, this config)."""
        return frame_input(hori_cube, vert_cube, self.config, self.elevation_mean)

    def push_input(self, stamp_ns: int, frame: FrameInput) -> Optional[Window]:
        """
        Add one frame pair already reduced to its :class:`FrameInput`.

        Reduced by this estimator or by the preprocessing node (hupr_msgs/RadarInputPair).
        As :meth:`push` otherwise.

        :raises PreprocessingError: inputs of another shape than the model's, or not finite.
        """
        hori = self._checked(frame.hori, 'horizontal')
        vert = self._checked(frame.vert, 'vertical')
        if self.merge_per_frame:
            hori = self._merged(self.model.RAchirpNet, hori)
            vert = self._merged(self.model.REchirpNet, vert)
        moving, score = frame.motion, float(frame.presence_db)
        if self._frames:
            step = int(stamp_ns) - self._frames[-1][0]
            if self.max_gap_ns is not None and step > self.max_gap_ns:
                self.last_gap_s = step * 1e-9
                self.reset()
                self.restarts += 1
            else:
                self._fill(step)
        self._frames.append((int(stamp_ns), hori, vert,
                             estimate_person_range(moving, self.config), score))
        self._count += 1
        n = self.model.config.num_frames
        newest = self._count - 1
        target = newest - self.latency_frames
        if target < 0:
            return None
        first = self._count - len(self._frames)          # stream index of _frames[0]
        indices = frame_window(self._count, target, n, self.alignment) - first
        indices = np.clip(indices, 0, len(self._frames) - 1)
        frames = [self._frames[i] for i in indices]
        target_frame = self._frames[target - first]
        present = True if self.presence is None else self.presence.update(target_frame[4])
        stack = torch.stack if self.merge_per_frame else np.stack
        return Window(target_frame[0], self._frames[-1][0],
                      stack([f[1] for f in frames]), stack([f[2] for f in frames]),
                      target_frame[3], target_frame[4], present, self.merge_per_frame)

    @torch.inference_mode()
    def _merged(self, chirp_net: torch.nn.Module, x: np.ndarray) -> torch.Tensor:
        """One frame's network input (K, 2, R, A, 1) through MNet: (F, R, A) on the device."""
        return self.model.merge_doppler(chirp_net, self._to_device(torch.from_numpy(x)[None]))[0]

    def _checked(self, x: np.ndarray, name: str) -> np.ndarray:
        """Return a frame's network input as the window keeps it, or raise PreprocessingError."""
        c = self.model.config
        expected = (c.num_doppler, 2, c.range_bins, c.azimuth_bins,
                    1 if self.elevation_mean else self.config.elevation_fft)
        x = np.asarray(x)
        if x.ndim == 4:
            x = x[..., None]
        if x.shape != expected:
            raise PreprocessingError(
                f'{name} network input has shape {x.shape}, the model takes {expected} '
                '(doppler K, real/imaginary, range, azimuth, elevation or its mean)')
        if x.dtype != np.float32:
            raise PreprocessingError(f'{name} network input must be float32, got {x.dtype}')
        if not np.isfinite(x).all():
            raise PreprocessingError(f'{name} network input contains NaN or inf')
        return x

    def _fill(self, step_ns: int) -> None:
        """Repeat the newest frame for each frame period missing before a frame ``step_ns`` on."""
        missing = int(round(step_ns / self.period_ns)) - 1 if self.period_ns > 0 else 0
        if missing <= 0:
            return
        self.last_gap_s = step_ns * 1e-9
        last = self._frames[-1]
        for k in range(1, min(missing, self.model.config.num_frames) + 1):
            self._frames.append((last[0] + k * self.period_ns, *last[1:]))
        self._count += missing          # stream positions, also those beyond the window
        self.filled += missing

    def _to_device(self, x: torch.Tensor) -> torch.Tensor:
        """
        CPU: a cast at most.

        CUDA: through pinned memory with a non-blocking copy; the only host sync of an inference is
        reading the decoded keypoints back.
        """
        if self.device.type == 'cuda':
            return x.pin_memory().to(self.device, self.input_dtype, non_blocking=True)
        return x.to(self.input_dtype)

    @torch.inference_mode()
    def infer(self, window: Window) -> PoseResult:
        """
        Run the network on a window.

        It runs also when nobody is present: the caller decides what to publish from
        ``result.present``. The keypoints are smoothed when a smoother is set.
        """
        start = time.perf_counter()
        if window.merged:
            initial, refined = self.model.forward_merged(window.hori[None], window.vert[None])
        else:
            hori, vert = (self._to_device(torch.from_numpy(x).unsqueeze(0))
                          for x in (window.hori, window.vert))
            initial, refined = self.model(hori, vert)
        initial, refined = initial.float(), refined.float()
        keypoints, confidence = decode(refined, subpixel=self.subpixel)
        keypoints = keypoints[0].cpu().numpy()
        if self.smoother is not None:
            if window.present:
                keypoints = self.smoother(keypoints, window.target_stamp_ns * 1e-9).astype(
                    np.float32)
            else:
                self.smoother.reset()
        return PoseResult(window.target_stamp_ns, keypoints, confidence[0].cpu().numpy(),
                          initial[0].cpu().numpy(), refined[0].cpu().numpy(),
                          window.person_range_m, time.perf_counter() - start, window.present,
                          window.presence_db)


class NewestWindowWorker:
    """
    Run ``handle(window, context)`` on a thread of its own, always on the newest window.

    :meth:`offer` hands a window over and returns at once. A window still waiting when a newer
    one arrives is dropped (counted in ``dropped``), never queued: when inference is slower
    than the radar, skeletons are skipped rather than delayed. ``handle`` returns False to end
    the thread (shutting down). An exception in it goes to ``on_error(window, error)``, which
    returns False to end the thread too; otherwise the worker goes on with the next window.
    """

    def __init__(self, handle: Callable[[Window, Any], bool],
                 on_error: Callable[[Window, Exception], bool],
                 name: str = 'inference') -> None:
        self.handle, self.on_error = handle, on_error
        self.dropped = 0
        self._cv = threading.Condition()
        self._pending: Optional[Tuple[Window, Any]] = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def stopping(self) -> bool:
        return self._stopping

    def is_alive(self) -> bool:
        """Whether the thread still takes windows."""
        return self._thread.is_alive()

    def offer(self, window: Window, context: Any = None) -> bool:
        """Hand ``window`` over; True when an older one that was still waiting was dropped."""
        with self._cv:
            dropped = self._pending is not None
            self.dropped += dropped
            self._pending = (window, context)
            self._cv.notify()
        return dropped

    def clear(self) -> None:
        """Forget a waiting window (an inference in flight finishes)."""
        with self._cv:
            self._pending = None

    def stop(self, timeout_s: float = 10.0) -> None:
        """End the thread; an inference in flight finishes first."""
        with self._cv:
            self._stopping = True
            self._cv.notify()
        self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._pending is not None or self._stopping)
                if self._stopping:
                    return
                (window, context), self._pending = self._pending, None
            try:
                if self.handle(window, context) is False:
                    return
            except Exception as error:  # noqa: B902 - the worker outlives any window
                if self.on_error(window, error) is False:
                    return


__all__ = ['ALIGNMENTS', 'auto_threads', 'cpu_has_native_bf16', 'estimate_person_range',
           'NewestWindowWorker', 'PoseEstimator', 'PoseResult', 'precision_problem', 'PRECISIONS',
           'resolve_precision', 'Window', 'with_precision']
