# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Raw ADC frames of both radars from HuPR-Sim: the source behind the radar emulators.

``hupr_ros.radar.rig.EmulatedRig`` serves whatever a ``frames(name, k)`` callable returns;
:class:`SimFrames` is that callable for the simulator (``hupr-capture --emulate`` and the
radar node's ``emulator`` mode).
"""

import threading
from typing import Dict

from hupr_ros.radar.dca1000 import encode_samples
from hupr_ros.sim.body import make_subjects, random_motion
from hupr_ros.sim.scene import Simulator
import numpy as np


class SimFrames:
    """
    Frames of both radars from HuPR-Sim (thread-safe).

    :param loop: 0 = simulate every frame number on demand (costs the simulator's time per frame);
        N = simulate N frames once and repeat them (frame k is frame k % N), so an emulated radar
        keeps 10 frames/s whatever the simulator costs.
    """

    def __init__(self, seed: int = 0, subject: int = 0, motion: str = 'wave_both',
                 loop: int = 0) -> None:
        self.sim = Simulator(make_subjects(seed)[subject],
                             random_motion(np.random.default_rng(seed), motion), seed=seed)
        self.loop = loop
        self._lock = threading.Lock()
        self._cache: Dict[int, Dict[str, bytes]] = {}
        for k in range(loop):
            self._make(k)

    def _make(self, k: int) -> None:
        frame = self.sim.frame(k)
        self._cache[k] = {'hori': encode_samples(frame.hori).tobytes(),
                          'vert': encode_samples(frame.vert).tobytes()}

    def __call__(self, name: str, k: int) -> bytes:
        if self.loop:
            return self._cache[k % self.loop][name]
        with self._lock:
            if k not in self._cache:
                self._make(k)
                for old in [i for i in self._cache if i < k - 4]:
                    del self._cache[old]
            return self._cache[k][name]
