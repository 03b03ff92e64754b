# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
HuPR-Sim scene: one person, two IWR1843 radars and a camera on one plane (no ROS).

Radar: every body capsule is sampled into point scatterers; each contributes with amplitude
``gain * sqrt(reflectivity * area * facing) / R^2`` (radar equation: received power ~ 1/R^4),
``facing`` being the cosine between the surface normal and the direction to the radar
(back-facing samples are dropped). The IF signal is the FMCW model of
:mod:`hupr_ros.sim.fmcw` (exact per-antenna delays, TDM chirp order), plus a few static clutter
reflectors, complex white receiver noise and int16 quantisation. Both radars sample the same
instant (one hardware trigger).

Camera: pinhole at the sensor origin looking along +y, rendering shaded capsules over a room
background, optionally darkened and noisy; ground-truth 2-D joints are the 3-D joints projected
with the same intrinsics.
"""

from dataclasses import dataclass, field
from typing import Optional, Tuple

from hupr_ros.radar.antenna import HORIZONTAL_MOUNT, RadarMount, VERTICAL_MOUNT
from hupr_ros.radar.config import ChirpConfig, HUPR_CHIRP_CONFIG
from hupr_ros.sim.body import BODY_PARTS, body_scatterers, BodySampling, joint_positions, Motion, \
    part_radius, person_present, segment_endpoint, select_parts, Subject
from hupr_ros.sim.fmcw import quantize, synthesize_frame
import numpy as np

#: Static reflectors of the room (sensor frame, m) and their amplitudes at 1 m (counts):
#: a back wall, a cabinet and a chair.
CLUTTER = (
    (np.array([[x, 4.6, z] for x in (-1.5, -0.5, 0.5, 1.5) for z in (-0.8, 0.2, 1.0)]), 60.0),
    (np.array([[-1.6, 2.2, -0.6], [-1.6, 2.5, -0.2], [-1.5, 2.3, 0.3]]), 120.0),
    (np.array([[1.4, 1.6, -0.6], [1.5, 1.8, -0.55]]), 80.0),
)


@dataclass(frozen=True)
class SimConfig:
    """Simulator settings (defaults: the HuPR set-up, paper section 3)."""

    frame_rate: float = 10.0
    sensor_height: float = 1.0
    gain: float = 2000.0
    noise_std: float = 3.0           # ADC counts, per I and Q
    clutter: bool = True
    clutter_scale: float = 1.0       # multiplies the static reflectors' amplitudes
    image_size: int = 256
    horizontal_fov_deg: float = 60.0
    brightness: float = 1.0          # < 1: dark room (0.05 ~ lights off)
    camera_noise: float = 2.0        # grey levels
    sampling_along: int = 6
    sampling_around: int = 8
    #: Simulate only these body parts (names or groups, hupr_ros.sim.body.PART_GROUPS) on the
    #: radars, for diagnostics; () = the whole body. The labels are the whole body's.
    body_parts: Tuple[str, ...] = ()
    chirp: ChirpConfig = HUPR_CHIRP_CONFIG
    hori_mount: RadarMount = HORIZONTAL_MOUNT
    vert_mount: RadarMount = VERTICAL_MOUNT

    @property
    def focal_px(self) -> float:
        return (self.image_size / 2) / np.tan(np.deg2rad(self.horizontal_fov_deg / 2))

    @property
    def intrinsics(self) -> Tuple[float, float, float, float]:
        """fx, fy, cx, cy of the camera, pixels."""
        c = self.image_size / 2
        return (self.focal_px, self.focal_px, c, c)


@dataclass
class SimFrame:
    """One time step of the simulator."""

    index: int
    time_s: float
    hori: np.ndarray          # complex64 (chirps, rx, samples), int16-valued parts
    vert: np.ndarray
    image: Optional[np.ndarray]     # uint8 (H, W, 3); None when not asked for
    joints_3d: np.ndarray     # float64 (14, 3), sensor frame
    keypoints: np.ndarray     # float32 (14, 2), image pixels; NaN when nobody is there
    bbox: Tuple[float, float, float, float] = field(default=(0, 0, 0, 0))
    present: bool = True      # a person is in the room (see body.PRESENCE_MOTIONS)


def project(points: np.ndarray, config: SimConfig) -> np.ndarray:
    """Sensor-frame points (n, 3) -> pixels (n, 2) of the simulated camera."""
    fx, fy, cx, cy = config.intrinsics
    depth = np.maximum(points[:, 1], 1e-3)
    return np.stack([cx + fx * points[:, 0] / depth, cy - fy * points[:, 2] / depth], -1)


class Simulator:
    """
    A person doing one motion, seen by both radars and the camera.

    Deterministic: the same subject, motion, config and seed give the same frames.
    """

    def __init__(self, subject: Subject, motion: Motion, config: SimConfig = SimConfig(),
                 seed: int = 0) -> None:
        self.subject, self.motion, self.config, self.seed = subject, motion, config, seed
        self.sampling = BodySampling(config.sampling_along, config.sampling_around,
                                     select_parts(config.body_parts))

    def scatterers(self, t: float, mount: RadarMount
                   ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(points (P, 3), velocities (P, 3), amplitudes (P,)) seen by one radar at time t."""
        c = self.config
        dt = 0.5 / c.chirp.num_chirps / max(c.frame_rate, 1.0)
        if person_present(self.motion, t):
            j0 = joint_positions(self.subject, self.motion, t, c.sensor_height)
            j1 = joint_positions(self.subject, self.motion, t + dt, c.sensor_height)
            p0, normals, weights = body_scatterers(j0, self.subject, self.sampling)
            p1, _, _ = body_scatterers(j1, self.subject, self.sampling)
            velocity = (p1 - p0) / dt
            to_radar = np.asarray(mount.origin) - p0
            distance = np.linalg.norm(to_radar, axis=1)
            facing = np.einsum('ij,ij->i', normals, to_radar) / distance
            keep = facing > 0
            amplitude = c.gain * np.sqrt(weights[keep] * facing[keep]) / distance[keep] ** 2
            points, velocity = p0[keep], velocity[keep]
        else:
            points, velocity, amplitude = np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0)
        if c.clutter:
            for reflectors, strength in CLUTTER:
                r = np.linalg.norm(reflectors - np.asarray(mount.origin), axis=1)
                points = np.vstack([points, reflectors])
                velocity = np.vstack([velocity, np.zeros_like(reflectors)])
                amplitude = np.concatenate([amplitude, c.clutter_scale * strength / r ** 2])
        return points, velocity, amplitude

    def radar_frame(self, t: float, mount: RadarMount, rng: np.random.Generator) -> np.ndarray:
        points, velocity, amplitude = self.scatterers(t, mount)
        clean = synthesize_frame(points, velocity, amplitude, self.config.chirp, mount)
        return quantize(clean, self.config.noise_std, rng)

    def render(self, joints: Optional[np.ndarray], rng: np.random.Generator) -> np.ndarray:
        """uint8 (S, S, 3) camera image of the posed body (the empty room for None)."""
        from PIL import Image, ImageDraw
        c = self.config
        size = c.image_size
        rows = np.linspace(0, 1, size)[:, None, None]
        wall = np.array([200, 196, 186]) * (1 - 0.25 * rows)
        floor_row = int(size / 2 + c.focal_px * c.sensor_height / 4.6)
        image = np.broadcast_to(wall, (size, size, 3)).copy()
        image[floor_row:] = np.array([120, 104, 90])
        canvas = Image.fromarray(image.astype(np.uint8))
        draw = ImageDraw.Draw(canvas)
        parts = []
        for part in (BODY_PARTS if joints is not None else ()):
            a, b = segment_endpoint(joints, part.start), segment_endpoint(joints, part.end)
            parts.append(((a[1] + b[1]) / 2, part, a, b))
        for depth, part, a, b in sorted(parts, key=lambda item: -item[0]):
            (ua, va), (ub, vb) = project(np.stack([a, b]), c)
            width = 2 * part_radius(part, self.subject) * c.focal_px / depth
            shade = int(np.clip(230 - 40 * depth, 60, 230))
            colour = (shade, int(shade * 0.55), int(shade * 0.45)) if part.name != 'head' \
                else (shade, int(shade * 0.8), int(shade * 0.65))
            draw.line([(ua, va), (ub, vb)], fill=colour, width=max(1, int(width)))
            r = width / 2
            for u, v in ((ua, va), (ub, vb)):
                draw.ellipse([u - r, v - r, u + r, v + r], fill=colour)
        out = np.asarray(canvas).astype(np.float32) * c.brightness
        if c.camera_noise > 0:
            out += rng.normal(0, c.camera_noise, out.shape)
        return np.clip(out, 0, 255).astype(np.uint8)

    def frame(self, index: int, camera: bool = True) -> SimFrame:
        """
        Return the simulator's frame ``index`` (time index / frame_rate).

        ``camera=False`` leaves the image out (``None``; about a tenth of the frame's time); the
        radar frames and the ground truth are the same either way.
        """
        c = self.config
        t = index / c.frame_rate
        rng = np.random.default_rng([self.seed, index])
        joints = joint_positions(self.subject, self.motion, t, c.sensor_height)
        present = person_present(self.motion, t)
        if not present:
            joints = np.full_like(joints, np.nan)
        keypoints = project(joints, c).astype(np.float32)
        x0, y0 = keypoints.min(axis=0)
        x1, y1 = keypoints.max(axis=0)
        return SimFrame(index, t, self.radar_frame(t, c.hori_mount, rng),
                        self.radar_frame(t, c.vert_mount, rng),
                        self.render(joints if present else None, rng) if camera else None,
                        joints, keypoints,
                        (float(x0), float(y0), float(x1), float(y1)), present)
