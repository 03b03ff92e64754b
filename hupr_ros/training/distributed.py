# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Device and process-group set-up of a run (no ROS): one process, or ``torchrun`` with DDP.

NCCL on GPUs, gloo on CPUs; ranks and world size come from torchrun's environment.
"""

from dataclasses import dataclass
import os

import torch


def resolve_device(name: str) -> torch.device:
    if name == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    device = torch.device(name)
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError(f'device {name!r} asked for, but torch sees no CUDA device')
    return device


@dataclass(frozen=True)
class Placement:
    """Where this process trains: its device, rank and the number of processes."""

    device: torch.device
    rank: int = 0
    world: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_distributed(device_name: str) -> Placement:
    """Resolve the device and, under torchrun (WORLD_SIZE > 1), join the process group."""
    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    device = resolve_device(device_name)
    if world > 1:
        import torch.distributed as dist
        if device.type == 'cuda':
            device = torch.device('cuda', int(os.environ.get('LOCAL_RANK', '0')))
            torch.cuda.set_device(device)
        if not dist.is_initialized():
            dist.init_process_group('nccl' if device.type == 'cuda' else 'gloo')
    return Placement(device, rank, world)


def barrier(placement: Placement) -> None:
    """Wait for every process (nothing to wait for in a single-process run)."""
    if placement.world > 1:
        import torch.distributed as dist
        dist.barrier()
