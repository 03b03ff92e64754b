# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Generated bodies and motions for HuPR-Sim (no ROS).

Instead of a few scripted motions and six bodies, every sequence of a generative data set gets
a body drawn from anthropometric ranges (:func:`sample_subject`) and a motion drawn from a
seed (:class:`GeneratedMotion`):

- each arm follows its own schedule of segments: move to a random pose (shoulder abduction and
  flexion, elbow bend) at a random speed, hold it, or swing about it at a random amplitude and
  frequency; the arms move independently, mirror each other, or one rests while the other
  moves;
- the body stands, turns on the spot or walks to random points across the radars' field of
  view at 0.3-1.2 m/s, facing where it goes, and leans forward or sideways a little.

Everything is a pure function of the seed and the time, so a sequence is reproducible and any
frame can be computed on its own.
"""

from bisect import bisect_right
import dataclasses
from dataclasses import dataclass
import functools
import math
from typing import List, Tuple

import numpy as np

#: Seconds of motion generated for a seed; later times repeat it (a simulator node running for
#: hours sees a 10-minute loop).
HORIZON_S = 600.0
#: Floor area a generated walk stays in (sensor frame, m): distance range, and the half-angle of
#: the radars' field of view used for the lateral bound.
DISTANCE_RANGE = (1.4, 4.0)
LATERAL_HALF_ANGLE_DEG = 32.0
LATERAL_MAX_M = 1.6
#: Fastest joint-angle change of a generated arm, deg/s (brisk waving peaks near this).
MAX_ARM_SPEED_DEG_S = 300.0
#: Grid of the locomotion track, s.
TRACK_DT = 0.05

ArmPose = Tuple[float, float, float]      # abduction, flexion, elbow bend (deg)

#: Anthropometric ranges of generated bodies (fractions of height but ``height``; thickness
#: factors on top of girth), drawn in this order.
BODY_RANGES = {'height': (1.45, 2.00), 'shoulder_width': (0.20, 0.26),
               'hip_width': (0.095, 0.13), 'upper_arm': (0.17, 0.20), 'forearm': (0.145, 0.175),
               'thigh': (0.23, 0.26), 'shank': (0.23, 0.26), 'girth': (0.8, 1.3),
               'arm_thickness': (0.75, 1.35), 'leg_thickness': (0.8, 1.3)}


@dataclass(frozen=True)
class PoseState:
    """What the skeleton needs at one instant: where the body is and how its limbs are set."""

    position: Tuple[float, float]
    heading: float                 # deg; 180 faces the sensors
    right_arm: ArmPose
    left_arm: ArmPose
    hip_flex: Tuple[float, float]  # right, left (deg)
    knee: Tuple[float, float]
    lean_forward: float = 0.0      # deg, upper body about the pelvis
    lean_side: float = 0.0


def lateral_limit(distance: float) -> float:
    """Return the largest |x| (m) at ``distance`` (m) that is inside both fields of view."""
    return min(LATERAL_MAX_M, distance * math.tan(math.radians(LATERAL_HALF_ANGLE_DEG)))


def sample_subject(rng: np.random.Generator, name: str):
    """
    Draw a body from anthropometric ranges.

    Height 1.45-2.00 m; segment lengths as fractions of height over about +-2 standard
    deviations of adult tables (Drillis & Contini); girth, arm and leg thickness; and how
    strongly the body reflects (clothing, body fat and water content change the radar cross
    section: a log-uniform factor of 0.5-2).
    """
    from hupr_ros.sim.body import subject_from_ranges
    subject = subject_from_ranges(rng, name, BODY_RANGES)
    return dataclasses.replace(subject, reflectivity=float(
        np.exp(rng.uniform(np.log(0.5), np.log(2.0)))))


def _random_arm_pose(rng: np.random.Generator) -> ArmPose:
    if rng.random() < 0.3:      # at rest beside the body
        return (float(rng.uniform(3, 20)), float(rng.uniform(-10, 20)),
                float(rng.uniform(0, 35)))
    return (float(rng.uniform(0, 170)), float(rng.uniform(-30, 110)),
            float(rng.uniform(0, 140)))


def _ease(u: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(max(u, 0.0), 1.0))


class _ArmTrack:
    """One arm's schedule: segments that move, hold or swing, back to back."""

    def __init__(self, rng: np.random.Generator, horizon: float) -> None:
        self.starts: List[float] = []
        self.segments: List[tuple] = []
        pose = _random_arm_pose(rng)
        t = 0.0
        while t < horizon:
            kind = rng.choice(['move', 'hold', 'swing'], p=[0.45, 0.2, 0.35])
            if kind == 'move':
                target = _random_arm_pose(rng)
                change = max(abs(a - b) for a, b in zip(pose, target))
                duration = max(float(rng.uniform(0.3, 2.5)), change / MAX_ARM_SPEED_DEG_S)
                segment = ('move', duration, pose, target)
                pose = target
            elif kind == 'hold':
                duration = float(rng.uniform(0.3, 3.0))
                segment = ('hold', duration, pose)
            else:
                duration = float(rng.uniform(1.0, 5.0))
                joint = int(rng.choice([0, 1, 2], p=[0.3, 0.3, 0.4]))
                amplitude = float(rng.uniform(12, 50))
                frequency = min(float(rng.uniform(0.4, 1.8)),
                                MAX_ARM_SPEED_DEG_S / (2 * math.pi * amplitude))
                segment = ('swing', duration, pose, joint, amplitude, frequency)
            self.starts.append(t)
            self.segments.append(segment)
            t += duration

    def __call__(self, t: float) -> ArmPose:
        i = max(bisect_right(self.starts, t) - 1, 0)
        segment, local = self.segments[i], t - self.starts[i]
        kind, duration, pose = segment[0], segment[1], segment[2]
        if kind == 'move':
            w = _ease(local / duration)
            return tuple(a + (b - a) * w for a, b in zip(pose, segment[3]))
        if kind == 'swing':
            joint, amplitude, frequency = segment[3:]
            # fades in and out so that the arm never jumps at a segment boundary
            envelope = min(1.0, local / 0.3, (duration - local) / 0.3)
            out = list(pose)
            out[joint] += envelope * amplitude * math.sin(2 * math.pi * frequency * local)
            out[0] = min(max(out[0], -5.0), 178.0)
            out[2] = min(max(out[2], -5.0), 150.0)
            return tuple(out)
        return pose


class _BodyTrack:
    """Where the body is, which way it faces, its stride and lean, on a fine time grid."""

    def __init__(self, rng: np.random.Generator, start: Tuple[float, float],
                 horizon: float) -> None:
        n = int(horizon / TRACK_DT) + 2
        xy = np.zeros((n, 2))
        heading = np.zeros(n)
        phase = np.zeros(n)        # stride phase, rad
        speed = np.zeros(n)
        lean = np.zeros((n, 2))
        pos = np.array(start, dtype=float)
        head = 180.0 + float(rng.uniform(-40, 40))
        k = 0
        stride_phase = 0.0
        lean_now = np.zeros(2)
        while k < n:
            mode = rng.choice(['stand', 'turn', 'walk'], p=[0.3, 0.15, 0.55])
            lean_to = np.array([rng.uniform(-5, 20), rng.uniform(-10, 10)]) \
                if rng.random() < 0.4 else np.zeros(2)
            if mode == 'walk':
                y = float(rng.uniform(*DISTANCE_RANGE))
                x = float(rng.uniform(-1, 1)) * lateral_limit(y)
                target = np.array([x, y])
                v = float(rng.uniform(0.3, 1.2))
                steps = max(int(np.linalg.norm(target - pos) / v / TRACK_DT), 1)
                step = (target - pos) / steps
                goal_heading = math.degrees(math.atan2(step[1], step[0])) - 90.0
                stride = float(rng.uniform(0.55, 0.8))
            else:
                steps = int(rng.uniform(0.8, 4.0) / TRACK_DT)
                step = np.zeros(2)
                goal_heading = 180.0 + float(rng.uniform(-70, 70)) if mode == 'turn' else head
                stride = 0.7
            for j in range(steps):
                if k >= n:
                    break
                pos = pos + step
                # turn towards the goal heading at up to 200 deg/s
                diff = (goal_heading - head + 180.0) % 360.0 - 180.0
                head += float(np.clip(diff, -200 * TRACK_DT, 200 * TRACK_DT))
                moved = float(np.linalg.norm(step))
                stride_phase += 2 * math.pi * moved / stride
                lean_now += (lean_to - lean_now) * min(1.0, TRACK_DT / 0.8)
                xy[k], heading[k], phase[k] = pos, head, stride_phase
                speed[k], lean[k] = moved / TRACK_DT, lean_now
                k += 1
        self.xy, self.heading, self.phase, self.speed, self.lean = xy, heading, phase, speed, lean

    def __call__(self, t: float):
        u = t / TRACK_DT
        i = min(int(u), len(self.xy) - 2)
        w = u - i
        xy = self.xy[i] * (1 - w) + self.xy[i + 1] * w
        diff = (self.heading[i + 1] - self.heading[i] + 180.0) % 360.0 - 180.0
        head = self.heading[i] + w * diff
        phase = self.phase[i] * (1 - w) + self.phase[i + 1] * w
        speed = self.speed[i] * (1 - w) + self.speed[i + 1] * w
        lean = self.lean[i] * (1 - w) + self.lean[i + 1] * w
        return xy, head, phase, speed, lean


class GeneratedMotion:
    """A seed's motion over :data:`HORIZON_S` seconds; call it with a time to get a PoseState."""

    def __init__(self, seed: int, start: Tuple[float, float]) -> None:
        rng = np.random.default_rng([seed, 7])
        self.coupling = str(rng.choice(['independent', 'mirror', 'one_rests'],
                                       p=[0.55, 0.2, 0.25]))
        self.resting_side = int(rng.integers(2))
        self.arms = [_ArmTrack(rng, HORIZON_S), _ArmTrack(rng, HORIZON_S)]
        self.body = _BodyTrack(rng, start, HORIZON_S)
        self.rest_pose = _random_arm_pose(np.random.default_rng([seed, 8]))

    def __call__(self, t: float) -> PoseState:
        t = t % HORIZON_S
        right, left = self.arms[0](t), self.arms[1](t)
        if self.coupling == 'mirror':
            left = right
        elif self.coupling == 'one_rests':
            rest = (min(self.rest_pose[0], 20.0), min(self.rest_pose[1], 20.0),
                    self.rest_pose[2])
            right, left = (rest, left) if self.resting_side == 0 else (right, rest)
        xy, heading, phase, speed, lean = self.body(t)
        amount = min(speed / 0.8, 1.0)
        step = math.sin(phase / 2)        # a full stride is two steps
        hip = 25.0 * amount * step
        knees = (35.0 * amount * max(0.0, -step), 35.0 * amount * max(0.0, step))
        return PoseState(position=(float(xy[0]), float(xy[1])), heading=float(heading),
                         right_arm=tuple(right), left_arm=tuple(left), hip_flex=(hip, -hip),
                         knee=knees, lean_forward=float(lean[0]), lean_side=float(lean[1]))


@functools.lru_cache(maxsize=8)
def generated_motion(seed: int, start: Tuple[float, float]) -> GeneratedMotion:
    """Return the (cached) generated motion of ``seed`` starting at ``start``."""
    return GeneratedMotion(seed, start)
