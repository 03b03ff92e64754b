# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Training HuPRNet on HuPR-layout data (no ROS): ``TrainConfig`` + ``Trainer``.

``config`` (what a run depends on), ``trainer`` (the loop, checkpoints, resume), ``loss``,
``evaluate`` (predictions and the paper's metric, also for ``hupr-eval``), ``sampling``
(the seeded order of each epoch), ``distributed`` (device, torchrun process group) and
``process`` (signals that stop a run resumably, the code's commit).
"""

from hupr_ros.training.config import ConfigError, load_config, TrainConfig
from hupr_ros.training.evaluate import evaluate_model, predict
from hupr_ros.training.trainer import Trainer, TrainingDiverged

__all__ = ['ConfigError', 'evaluate_model', 'load_config', 'predict', 'TrainConfig', 'Trainer',
           'TrainingDiverged']
