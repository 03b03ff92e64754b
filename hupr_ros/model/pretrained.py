# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Weights that ship with the package (trained on HuPR-Sim; see docs/results.md).

model = load_pretrained()                    # the default: realtime, causal window
model.alignment, model.training_metadata     # how it was trained, its metrics
"""

from dataclasses import dataclass
import pathlib
from typing import Dict, Optional

from hupr_ros.model.checkpoint import CheckpointError, load_official_checkpoint
from hupr_ros.model.hupr_net import HuPRNet

WEIGHTS_DIR = pathlib.Path(__file__).resolve().parent / 'weights'


@dataclass(frozen=True)
class Pretrained:
    file: str
    description: str


#: Shipped models by name. Trained on simulated data only: fine-tune on real captures before
#: trusting them on a real radar.
PRETRAINED: Dict[str, Pretrained] = {
    'realtime_causal_sim': Pretrained(
        'realtime_causal_sim.pth',
        'realtime variant (F=8), causal window (no look-ahead), HuPR-Sim six-subject set (the '
        'default until 2026-12-07)'),
    'realtime_centered_sim': Pretrained(
        'realtime_centered_sim.pth',
        'realtime variant (F=8), published centred window (0.3 s look-ahead), HuPR-Sim '
        'six-subject set (the centred model until 2026-12-07)'),
    'small_causal_gen': Pretrained(
        'small_causal_gen.pth',
        'realtime variant (F=4, about half the CPU time of F=8), causal window, trained on the '
        'generative HuPR-Sim set (a new body and motion per sequence) and the six-subject set '
        'together: better than realtime_causal_sim on both test splits (docs/results.md); the '
        'default until 2026-12-07 (afternoon)'),
    'small_centered_gen': Pretrained(
        'small_centered_gen.pth',
        'realtime variant (F=4), published centred window (0.3 s look-ahead), trained on the '
        'generative and six-subject HuPR-Sim sets together from small_causal_gen (the centred '
        'model until 2026-12-07, night); it follows the body, not yet the arms'),
    'small_causal_many': Pretrained(
        'small_causal_many.pth',
        'realtime variant (F=4), causal window, trained from small_causal_gen on three '
        'simulated sets together (455 training bodies: two generative sets and the six-subject '
        'set): better than small_causal_gen on every validation and test split '
        '(docs/results.md); it follows the body, not yet the arms'),
    'small_centered_many': Pretrained(
        'small_centered_many.pth',
        'realtime variant (F=4), published centred window (0.3 s look-ahead), trained from '
        'small_causal_many on its three simulated sets (455 training bodies): the most accurate '
        'shipped model on every validation split (docs/results.md), for recordings and uses '
        'that can wait 0.3 s; it follows the body, not yet the arms'),
}
DEFAULT_PRETRAINED = 'small_causal_many'


def pretrained_path(name: Optional[str] = None) -> pathlib.Path:
    """Path of a shipped checkpoint. Raises KeyError for an unknown name."""
    name = name or DEFAULT_PRETRAINED
    if name not in PRETRAINED:
        raise KeyError(f'no shipped model {name!r}; available: {sorted(PRETRAINED)}')
    return WEIGHTS_DIR / PRETRAINED[name].file


def resolve_weights(spec: str) -> pathlib.Path:
    """
    Checkpoint path of a weights argument.

    '' = the shipped default, an existing file, or the name of a shipped model (a file of that name
    wins).
    """
    if not spec:
        return pretrained_path()
    path = pathlib.Path(spec)
    if not path.is_file() and spec in PRETRAINED:
        return pretrained_path(spec)
    return path


def load_pretrained(name: Optional[str] = None) -> HuPRNet:
    """
    Load a shipped model (default :data:`DEFAULT_PRETRAINED`) in eval mode on the CPU.

    :raises KeyError: unknown name. CheckpointError: the file is missing from this install.
    """
    path = pretrained_path(name)
    if not path.is_file():
        raise CheckpointError(f'shipped weights {path} are missing from this installation '
                              '(reinstall hupr_ros; nothing is downloaded)')
    return load_official_checkpoint(path)
