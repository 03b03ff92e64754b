# SPDX-License-Identifier: Apache-2.0
"""Training HuPRNet on HuPR-layout data (no ROS): ``TrainConfig`` + ``Trainer``."""

from hupr_ros.training.config import ConfigError, load_config, TrainConfig
from hupr_ros.training.trainer import evaluate_model, predict, Trainer, TrainingDiverged

__all__ = ['ConfigError', 'evaluate_model', 'load_config', 'predict', 'TrainConfig', 'Trainer',
           'TrainingDiverged']
