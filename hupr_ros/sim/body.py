# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
A procedurally animated human: the 14 HuPR joints and a body of capsules (no ROS).

Sensor frame (metres): x right, y forward (away from the sensors), z up; the sensors are at
the origin, ``sensor_height`` above the floor. A subject stands or walks on the floor between
1 and 4 m in front of the sensors. Motions follow the paper's dataset (section 3.2): static
poses held for at least 10 s, standing while waving one or both hands, walking while waving.
"""

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from hupr_ros.skeleton import JOINT_INDEX, NUM_JOINTS
import numpy as np

MOTIONS = ('static', 'wave_one', 'wave_both', 'walk_wave')
#: Sequences for presence detection: nobody in the room, or a person who walks in from the
#: side, waves and walks out again (absent 2 s, present 6 s, every 10 s). Not in the training
#: cycle: their frames without a person have no pose to learn.
PRESENCE_MOTIONS = ('empty', 'enter_leave')
#: A motion drawn from a seed (:mod:`hupr_ros.sim.motion_gen`): arms and walking generated, not
#: scripted. The generative data sets use it.
GENERATED = 'generated'
ALL_MOTIONS = MOTIONS + PRESENCE_MOTIONS + (GENERATED,)
ENTER_LEAVE_CYCLE_S = 10.0
ENTER_LEAVE_PRESENT_S = (2.0, 8.0)
ENTER_LEAVE_WALK_S = 1.5
ENTER_LEAVE_OFFSET_M = 1.6


@dataclass(frozen=True)
class Subject:
    """Body proportions (anthropometric fractions of height, Drillis & Contini)."""

    name: str = 'subject_0'
    height: float = 1.72
    shoulder_width: float = 0.23     # fractions of height
    hip_width: float = 0.11
    upper_arm: float = 0.186
    forearm: float = 0.16
    thigh: float = 0.245
    shank: float = 0.246
    girth: float = 1.0               # scales limb and torso radii
    arm_thickness: float = 1.0       # scales the arm radii (on top of girth)
    leg_thickness: float = 1.0       # scales the leg radii
    reflectivity: float = 1.0        # scales every body part's reflectivity

    def length(self, fraction: float) -> float:
        return fraction * self.height


#: Ranges of the six subjects of the classic data set (fractions of height but ``height``).
CLASSIC_RANGES = {'height': (1.55, 1.90), 'shoulder_width': (0.21, 0.25),
                  'hip_width': (0.10, 0.12), 'upper_arm': (0.175, 0.195),
                  'forearm': (0.15, 0.17), 'thigh': (0.235, 0.255), 'shank': (0.235, 0.255),
                  'girth': (0.85, 1.2)}


def subject_from_ranges(rng: np.random.Generator, name: str, ranges: dict,
                        **fixed) -> Subject:
    """Draw each field of ``ranges`` uniformly, in the order given (reproducible per seed)."""
    return Subject(name=name, **{k: float(rng.uniform(lo, hi)) for k, (lo, hi) in ranges.items()},
                   **fixed)


def make_subjects(seed: int = 0, count: int = 6) -> List[Subject]:
    """``count`` reproducible subjects with varied height, proportions and girth."""
    rng = np.random.default_rng(seed)
    return [subject_from_ranges(rng, f'subject_{i}', CLASSIC_RANGES) for i in range(count)]


@dataclass(frozen=True)
class Motion:
    """
    One sequence's movement. Angles in degrees, times in seconds, positions in metres.

    :ivar kind: one of MOTIONS.
    :ivar position: (x, y) on the floor where the subject stands (or the walk's centre).
    :ivar heading: direction the body faces, degrees; 180 = facing the sensors.
    :ivar amplitude: waving amplitude (elbow swing) in degrees.
    :ivar frequency: waving / stepping frequency, Hz.
    :ivar static_pose: for 'static', which pose: 0 arms down, 1 T-pose, 2 hands up, 3 one arm
        forward, 4 hands on hips.
    :ivar walk_extent: walking back and forth over this length (m) along ``walk_axis_deg``.
    :ivar motion_seed: for 'generated', the seed of the generated motion (which starts at
        ``position``).
    """

    kind: str = 'static'
    position: Tuple[float, float] = (0.0, 2.5)
    heading: float = 180.0
    amplitude: float = 35.0
    frequency: float = 1.0
    static_pose: int = 0
    walk_extent: float = 1.5
    walk_axis_deg: float = 90.0
    phase: float = 0.0
    wave_side: str = 'right'
    motion_seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ALL_MOTIONS:
            raise ValueError(f'motion kind must be one of {ALL_MOTIONS}, got {self.kind!r}')


def person_present(motion: Motion, t: float) -> bool:
    """Whether the person is in the room at time ``t`` (s)."""
    if motion.kind == 'empty':
        return False
    if motion.kind == 'enter_leave':
        local = t % ENTER_LEAVE_CYCLE_S
        return ENTER_LEAVE_PRESENT_S[0] <= local < ENTER_LEAVE_PRESENT_S[1]
    return True


def _enter_leave_offset(t: float) -> float:
    """
    Lateral offset (m) of an 'enter_leave' person.

    Walking in from the left, out to the right, standing in between.
    """
    local = t % ENTER_LEAVE_CYCLE_S
    start, end = ENTER_LEAVE_PRESENT_S
    if local < start + ENTER_LEAVE_WALK_S:
        return -ENTER_LEAVE_OFFSET_M * (1 - max(local - start, 0.0) / ENTER_LEAVE_WALK_S)
    if local > end - ENTER_LEAVE_WALK_S:
        return ENTER_LEAVE_OFFSET_M * min((local - end + ENTER_LEAVE_WALK_S)
                                          / ENTER_LEAVE_WALK_S, 1.0)
    return 0.0


def random_motion(rng: np.random.Generator, kind: str = '') -> Motion:
    """Return a motion with randomised amplitude, speed, heading and position (1-4 m away)."""
    kind = kind or MOTIONS[int(rng.integers(len(MOTIONS)))]
    if kind == GENERATED:
        from hupr_ros.sim.motion_gen import DISTANCE_RANGE, lateral_limit
        distance = float(rng.uniform(*DISTANCE_RANGE))
        lateral = float(rng.uniform(-1, 1)) * lateral_limit(distance)
        return Motion(kind=kind, position=(lateral, distance),
                      phase=float(rng.uniform(0, 2 * np.pi)),
                      motion_seed=int(rng.integers(1 << 31)))
    distance = float(rng.uniform(1.8, 3.4))
    lateral = float(rng.uniform(-0.5, 0.5))
    return Motion(kind=kind, position=(lateral, distance),
                  heading=float(180 + rng.uniform(-25, 25)),
                  amplitude=float(rng.uniform(25, 50)), frequency=float(rng.uniform(0.6, 1.4)),
                  static_pose=int(rng.integers(5)), walk_extent=float(rng.uniform(0.8, 1.6)),
                  walk_axis_deg=float(rng.choice([0.0, 90.0]) + rng.uniform(-20, 20)),
                  phase=float(rng.uniform(0, 2 * np.pi)),
                  wave_side=str(rng.choice(['left', 'right'])))


def _rot_z(deg: float) -> np.ndarray:
    a = np.deg2rad(deg)
    return np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1.0]])


def _limb(origin: np.ndarray, lengths: Tuple[float, float], abduction: float, flexion: float,
          bend: float, side: float) -> Tuple[np.ndarray, np.ndarray]:
    """
    Two-segment limb hanging down in body coordinates (x right, y forward, z up).

    abduction: raise sideways (deg); flexion: raise forward (deg); bend: elbow / knee (deg,
    positive bends the distal segment forward for arms). side: +1 right, -1 left.
    """
    a, f = np.deg2rad(abduction), np.deg2rad(flexion)
    direction = np.array([side * np.sin(a) * np.cos(f), np.sin(f), -np.cos(a) * np.cos(f)])
    direction /= np.linalg.norm(direction)
    middle = origin + lengths[0] * direction
    # bend about the axis perpendicular to the limb and to the body's side axis
    axis = np.cross(direction, np.array([side, 0.0, 0.0]))
    if np.linalg.norm(axis) < 1e-6:
        axis = np.array([0.0, 0.0, 1.0])
    axis /= np.linalg.norm(axis)
    b = np.deg2rad(bend)
    distal = (direction * np.cos(b) + np.cross(axis, direction) * np.sin(b) +
              axis * np.dot(axis, direction) * (1 - np.cos(b)))
    return middle, middle + lengths[1] * distal


STATIC_POSES = {   # (r_abd, r_flex, r_elbow, l_abd, l_flex, l_elbow)
    0: (8, 0, 10, 8, 0, 10),
    1: (90, 0, 0, 90, 0, 0),
    2: (160, 10, 20, 160, 10, 20),
    3: (10, 85, 5, 8, 0, 10),
    4: (45, -10, -110, 45, -10, -110),
}


def joint_positions(subject: Subject, motion: Motion, t: float,
                    sensor_height: float = 1.0) -> np.ndarray:
    """Return float64 (14, 3) joint positions in the sensor frame at time ``t`` (s)."""
    if motion.kind == GENERATED:
        from hupr_ros.sim.motion_gen import generated_motion
        state = generated_motion(motion.motion_seed, tuple(motion.position))(t)
        return _skeleton(subject, np.array([*state.position, -sensor_height]), state.heading,
                         [*state.right_arm, *state.left_arm], state.hip_flex, state.knee, t,
                         motion.phase, (state.lean_forward, state.lean_side))
    w = 2 * np.pi * motion.frequency
    position = np.array([motion.position[0], motion.position[1], -sensor_height])
    heading = motion.heading
    r_arm = list(STATIC_POSES[motion.static_pose if motion.kind == 'static' else 0])
    hip_r = hip_l = knee_r = knee_l = 0.0
    if motion.kind == 'enter_leave':
        position = position + np.array([_enter_leave_offset(t), 0.0, 0.0])
    if motion.kind in ('wave_one', 'wave_both', 'walk_wave', 'enter_leave'):
        swing = motion.amplitude * np.sin(w * t + motion.phase)
        wave = (150, 5, 30 + swing)          # arm up, forearm swinging
        if motion.kind == 'wave_one' or motion.kind == 'walk_wave':
            if motion.wave_side == 'right':
                r_arm[0:3] = wave
            else:
                r_arm[3:6] = wave
        else:      # both hands (also while standing in an enter_leave sequence)
            r_arm[0:3] = wave
            r_arm[3:6] = (150, 5, 30 - swing)
    if motion.kind == 'walk_wave':
        # back and forth along the walk axis at ~0.6 m/s, facing the direction of travel
        speed = 0.6
        period = 2 * motion.walk_extent / speed
        u = ((t / period + motion.phase / (2 * np.pi)) % 1.0)
        along = motion.walk_extent * (2 * u if u < 0.5 else 2 - 2 * u) - motion.walk_extent / 2
        axis = _rot_z(motion.walk_axis_deg) @ np.array([1.0, 0.0, 0.0])
        position = position + along * axis
        direction = 1 if u < 0.5 else -1
        heading = motion.walk_axis_deg - 90 + (0 if direction > 0 else 180)
        step = np.sin(2 * np.pi * speed / 0.7 * t)      # ~0.7 m stride
        hip_r, hip_l = 25 * step, -25 * step
        knee_r, knee_l = 30 * max(0.0, -step), 30 * max(0.0, step)
    return _skeleton(subject, position, heading, r_arm, (hip_r, hip_l), (knee_r, knee_l), t,
                     motion.phase)


def _rot_x(deg: float) -> np.ndarray:
    a = np.deg2rad(deg)
    return np.array([[1.0, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])


def _rot_y(deg: float) -> np.ndarray:
    a = np.deg2rad(deg)
    return np.array([[np.cos(a), 0, np.sin(a)], [0, 1.0, 0], [-np.sin(a), 0, np.cos(a)]])


UPPER_BODY = tuple(JOINT_INDEX[name] for name in (
    'Head', 'Neck', 'R_Shoulder', 'R_Elbow', 'R_Wrist', 'L_Shoulder', 'L_Elbow', 'L_Wrist'))


def _skeleton(subject: Subject, position: np.ndarray, heading: float, arms, hip_flex, knee,
              t: float, phase: float, lean: Tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Joints (14, 3) in the sensor frame of a body placed, turned and posed as given."""
    s, h = subject, subject.height
    r_arm = list(arms)
    hip_r, hip_l = hip_flex
    knee_r, knee_l = knee
    pelvis = np.array([0.0, 0.0, (s.thigh + s.shank) * h + 0.04 * h])
    neck = np.array([0.0, 0.0, 0.82 * h])
    head = np.array([0.0, 0.01 * h, 0.93 * h])
    hw, sw = s.hip_width * h / 2, s.shoulder_width * h / 2
    joints = np.zeros((NUM_JOINTS, 3))
    for side, name, hip_flex, knee in ((1, 'R', hip_r, knee_r), (-1, 'L', hip_l, knee_l)):
        hip = pelvis + np.array([side * hw, 0, 0])
        knee_p, ankle = _limb(hip, (s.thigh * h, s.shank * h), 2, hip_flex, -knee, side)
        joints[JOINT_INDEX[f'{name}_Hip']] = hip
        joints[JOINT_INDEX[f'{name}_Knee']] = knee_p
        joints[JOINT_INDEX[f'{name}_Ankle']] = ankle
        offset = 0 if side > 0 else 3
        abd, flex, elbow = r_arm[offset:offset + 3]
        shoulder = neck + np.array([side * sw, 0, -0.01 * h])
        elbow_p, wrist = _limb(shoulder, (s.upper_arm * h, s.forearm * h), abd, flex, elbow,
                               side)
        joints[JOINT_INDEX[f'{name}_Shoulder']] = shoulder
        joints[JOINT_INDEX[f'{name}_Elbow']] = elbow_p
        joints[JOINT_INDEX[f'{name}_Wrist']] = wrist
    joints[JOINT_INDEX['Neck']] = neck
    joints[JOINT_INDEX['Head']] = head
    if lean != (0.0, 0.0):      # forward (top towards +y) and sideways (top towards +x)
        rotation = _rot_y(lean[1]) @ _rot_x(-lean[0])
        upper = list(UPPER_BODY)
        joints[upper] = pelvis + (joints[upper] - pelvis) @ rotation.T
    # Nobody stands perfectly still: postural sway (~1 cm, 0.2-0.3 Hz) moves the body by
    # ~0.4 rad of carrier phase within one frame, which static clutter removal does not remove.
    sway = np.array([0.012 * np.sin(2 * np.pi * 0.23 * t + phase),
                     0.010 * np.sin(2 * np.pi * 0.31 * t + 2 * phase),
                     0.003 * np.sin(2 * np.pi * 0.27 * t)])
    joints[:, :2] += sway[:2] * (joints[:, 2:3] / h)          # sway grows with height
    joints[:, 2] += sway[2]
    # body frame: x right, y forward; heading 0 faces +y; rotate then place on the floor
    return joints @ _rot_z(heading).T + position


@dataclass(frozen=True)
class BodyPart:
    name: str
    start: str          # joint name, or 'pelvis' / 'chest'
    end: str
    radius: float       # fraction of height (times girth)
    reflectivity: float


BODY_PARTS: Tuple[BodyPart, ...] = (
    BodyPart('torso', 'pelvis', 'Neck', 0.085, 1.0),
    BodyPart('head', 'Neck', 'Head', 0.055, 0.6),
    BodyPart('r_thigh', 'R_Hip', 'R_Knee', 0.045, 0.7),
    BodyPart('r_shank', 'R_Knee', 'R_Ankle', 0.033, 0.5),
    BodyPart('l_thigh', 'L_Hip', 'L_Knee', 0.045, 0.7),
    BodyPart('l_shank', 'L_Knee', 'L_Ankle', 0.033, 0.5),
    BodyPart('r_upper_arm', 'R_Shoulder', 'R_Elbow', 0.03, 0.5),
    BodyPart('r_forearm', 'R_Elbow', 'R_Wrist', 0.024, 0.4),
    BodyPart('l_upper_arm', 'L_Shoulder', 'L_Elbow', 0.03, 0.5),
    BodyPart('l_forearm', 'L_Elbow', 'L_Wrist', 0.024, 0.4),
    BodyPart('shoulders', 'L_Shoulder', 'R_Shoulder', 0.04, 0.6),
    BodyPart('hips', 'L_Hip', 'R_Hip', 0.05, 0.6),
)


#: Body parts by group (names of :data:`BODY_PARTS`).
PART_GROUPS: Dict[str, Tuple[str, ...]] = {
    'arms': ('r_upper_arm', 'r_forearm', 'l_upper_arm', 'l_forearm'),
    'legs': ('r_thigh', 'r_shank', 'l_thigh', 'l_shank'),
    'trunk': ('torso', 'head', 'shoulders', 'hips'),
}


def select_parts(names: Sequence[str]) -> Tuple[BodyPart, ...]:
    """
    Return the body parts named, by part or by group (:data:`PART_GROUPS`); all when empty.

    :raises ValueError: a name is neither a part nor a group.
    """
    if not names:
        return BODY_PARTS
    wanted = set()
    for name in names:
        if name in PART_GROUPS:
            wanted.update(PART_GROUPS[name])
        elif any(part.name == name for part in BODY_PARTS):
            wanted.add(name)
        else:
            raise ValueError(f'unknown body part {name!r}: parts are '
                             f'{", ".join(p.name for p in BODY_PARTS)}; groups are '
                             f'{", ".join(PART_GROUPS)}')
    return tuple(part for part in BODY_PARTS if part.name in wanted)


def part_radius(part: BodyPart, subject: Subject) -> float:
    """Radius (m) of one body part of ``subject``."""
    scale = subject.girth
    if 'arm' in part.name:
        scale *= subject.arm_thickness
    elif 'thigh' in part.name or 'shank' in part.name:
        scale *= subject.leg_thickness
    return part.radius * subject.height * scale


def segment_endpoint(joints: np.ndarray, name: str) -> np.ndarray:
    if name == 'pelvis':
        return (joints[JOINT_INDEX['R_Hip']] + joints[JOINT_INDEX['L_Hip']]) / 2
    return joints[JOINT_INDEX[name]]


@dataclass
class BodySampling:
    """Fixed sample positions on each capsule (so scatterers keep their identity over time)."""

    along: int = 6
    around: int = 8
    parts: Tuple[BodyPart, ...] = BODY_PARTS

    @property
    def count(self) -> int:
        return len(self.parts) * self.along * self.around


def body_scatterers(joints: np.ndarray, subject: Subject, sampling: BodySampling
                    ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """
    Sample the capsules of a posed body.

    :return: points float64 (P, 3), outward normals (P, 3), reflectivity weights (P,) (including
    :return: the surface area each sample stands for).
    """
    s = (np.arange(sampling.along) + 0.5) / sampling.along
    theta = 2 * np.pi * np.arange(sampling.around) / sampling.around
    points, normals, weights = [], [], []
    for part in sampling.parts:
        a, b = segment_endpoint(joints, part.start), segment_endpoint(joints, part.end)
        axis = b - a
        length = max(np.linalg.norm(axis), 1e-6)
        d = axis / length
        helper = np.array([0.0, 0.0, 1.0]) if abs(d[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
        u = np.cross(d, helper)
        u /= np.linalg.norm(u)
        v = np.cross(d, u)
        radius = part_radius(part, subject)
        n = np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * v          # (around, 3)
        centre = a + s[:, None] * axis                                        # (along, 3)
        p = centre[:, None, :] + radius * n[None, :, :]
        points.append(p.reshape(-1, 3))
        normals.append(np.broadcast_to(n, p.shape).reshape(-1, 3))
        area = 2 * np.pi * radius * length / (sampling.along * sampling.around)
        weights.append(np.full(p.shape[0] * p.shape[1],
                               part.reflectivity * subject.reflectivity * area))
    return np.concatenate(points), np.concatenate(normals), np.concatenate(weights)
