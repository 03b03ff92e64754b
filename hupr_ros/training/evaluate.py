# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Evaluation of a model on a dataset: predictions and the paper's metric (no ROS).

Used for validation during training and by ``hupr-eval``.
"""

from typing import Dict, List, Tuple

from hupr_ros.inference import with_precision
from hupr_ros.metrics import evaluate_poses, PoseMetrics
from hupr_ros.model import decode, HuPRNet
import numpy as np
import torch
from torch.utils.data import DataLoader


def collate(samples: List[dict]) -> dict:
    out = {k: torch.stack([s[k] for s in samples]) for k in
           ('hori', 'vert', 'target', 'keypoints', 'box')}
    out['sequence'] = torch.tensor([s['sequence'] for s in samples])
    out['frame'] = torch.tensor([s['frame'] for s in samples])
    return out


@torch.inference_mode()
def predict(model: HuPRNet, dataset, batch_size: int = 8, device: torch.device = None,
            progress: bool = False, precision: str = 'fp32') -> Dict[str, np.ndarray]:
    """
    Run the model over a dataset.

    Predicted and true keypoints, boxes, confidences (``precision``: see
    :func:`hupr_ros.inference.with_precision`).
    """
    device = device or torch.device('cpu')
    was_training = model.training
    model.eval()
    run, dtype = with_precision(model, precision)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, collate_fn=collate,
                        pin_memory=device.type == 'cuda')
    keys = ('pred', 'confidence', 'keypoints', 'box', 'sequence', 'frame')
    out: Dict[str, list] = {k: [] for k in keys}
    from tqdm import tqdm
    for batch in tqdm(loader, desc='evaluating', unit='batch', disable=not progress,
                      leave=False):
        _, refined = run(batch['hori'].to(device, dtype, non_blocking=True),
                         batch['vert'].to(device, dtype, non_blocking=True))
        keypoints, confidence = decode(refined.float())
        out['pred'].append(keypoints.cpu().numpy())
        out['confidence'].append(confidence.cpu().numpy())
        for k in ('keypoints', 'box', 'sequence', 'frame'):
            out[k].append(batch[k].numpy())
    model.train(was_training)
    return {k: np.concatenate(v) for k, v in out.items()}


def evaluate_model(model: HuPRNet, dataset, batch_size: int = 8, device=None,
                   per_joint: bool = True, progress: bool = False, precision: str = 'fp32'
                   ) -> Tuple[PoseMetrics, Dict[str, np.ndarray]]:
    predictions = predict(model, dataset, batch_size, device, progress, precision)
    return evaluate_poses(predictions['pred'], predictions['keypoints'], predictions['box'],
                          per_joint), predictions
