# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Published-format checkpoints: strict loading, and saving ours.

Loading published-format checkpoints (``{'epoch', 'model_state_dict', 'accuracy'}``) strictly,
and saving our own in the same format plus metadata.
"""

import os
import pathlib
from typing import Any, Dict, Optional, Union

from hupr_ros.model.hupr_net import build_model, config_dict, default_num_filters, HuPRNet, \
    ModelConfig
from hupr_ros.model.quantize import read_calibration
import torch


class CheckpointError(RuntimeError):
    """A checkpoint is missing, unreadable or does not match the model."""


def load_tensors(path: Union[str, os.PathLike], what: str, example: str) -> Any:
    """
    Unpickle a local weights file safely: on the CPU, with ``weights_only=True``.

    A missing file or one that does not unpickle (damaged, or holding arbitrary objects)
    raises :class:`CheckpointError` naming ``what`` and the file; nothing is downloaded.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise CheckpointError(f'{what} not found: {path} (no such file; weights are never '
                              f'downloaded: pass the path of a local {example})')
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except Exception as error:  # noqa: B902 - torch raises many types for damaged files
        raise CheckpointError(f'cannot read {what} {path}: {error}') from error


def read_checkpoint(path: Union[str, os.PathLike]) -> Dict[str, Any]:
    """Return the checkpoint dict of a published-format file (tensors only, safe loading)."""
    checkpoint = load_tensors(path, 'checkpoint', 'model_best.pth')
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'{path}: expected a dict, got {type(checkpoint).__name__}')
    if 'model_state_dict' not in checkpoint:
        if all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
            checkpoint = {'model_state_dict': checkpoint}    # a bare state dict
        else:
            raise CheckpointError(f'{path}: no model_state_dict (keys: {sorted(checkpoint)})')
    return checkpoint


def load_state_strict(model: torch.nn.Module, state: Dict[str, torch.Tensor],
                      source: str = 'checkpoint') -> None:
    """Load ``state`` into ``model`` requiring the same keys and shapes; explain mismatches."""
    state = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    shapes = sorted(f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(v.shape)}'
                    for k, v in expected.items() if k in state and state[k].shape != v.shape)
    if missing or unexpected or shapes:
        def head(items):
            return ', '.join(items[:8]) + (f' ... (+{len(items) - 8})' if len(items) > 8 else '')
        parts = [f'{len(missing)} missing: {head(missing)}' if missing else '',
                 f'{len(unexpected)} unexpected: {head(unexpected)}' if unexpected else '',
                 f'{len(shapes)} shape mismatches: {head(shapes)}' if shapes else '']
        raise CheckpointError(f'{source} does not match the model '
                              f'({model.config.variant}, num_filters='
                              f'{model.config.num_filters}): ' +
                              '; '.join(p for p in parts if p))
    model.load_state_dict(state, strict=True)


def training_metadata(checkpoint: Dict[str, Any]) -> Dict[str, Any]:
    """Return what the trainer stored beside the weights (``hupr_ros_training``), or {}."""
    metadata = checkpoint.get('hupr_ros_training')
    return dict(metadata) if isinstance(metadata, dict) else {}


def load_official_checkpoint(path: Union[str, os.PathLike], num_filters: Optional[int] = 32,
                             variant: str = 'csam_prgcn', **kwargs) -> HuPRNet:
    """
    Load a published-format checkpoint into a new model, in eval mode on the CPU.

    Our own checkpoints (:func:`save_checkpoint`) load the same way; their stored config
    (variant, num_filters, ...) is used when present. Weights stored as float16 load into the
    float32 model. The returned model carries ``alignment`` (the window it was trained with;
    'centered' for published checkpoints) and ``training_metadata`` (what the trainer stored
    beside the weights under ``hupr_ros_training``; empty for published checkpoints), and its
    int8 calibration when one is kept beside the file (``int8_calibration``, or None and the
    reason in ``int8_problem``; :mod:`hupr_ros.model.quantize`).

    :raises CheckpointError: file missing or unreadable; keys or shapes do not match.
    """
    checkpoint = read_checkpoint(path)
    stored = checkpoint.get('hupr_ros_config')
    if isinstance(stored, dict):
        fields = dict(stored)
        fields['attention_scales'] = tuple(fields.get('attention_scales', (0, 1, 2)))
        fields.update(kwargs)
        model = HuPRNet(ModelConfig(**fields))
    else:
        model = build_model(variant, num_filters or default_num_filters(variant), **kwargs)
    load_state_strict(model, checkpoint['model_state_dict'], str(path))
    model.training_metadata = training_metadata(checkpoint)
    model.alignment = model.training_metadata.get('alignment', 'centered')
    model.int8_calibration, model.int8_problem = read_calibration(pathlib.Path(path))
    return model.eval()


def save_checkpoint(model: HuPRNet, path: Union[str, os.PathLike], epoch: int = 0,
                    accuracy: float = 0.0, extra: Optional[Dict[str, Any]] = None) -> None:
    """
    Save in the published format plus our configuration.

    Our configuration is stored as ``hupr_ros_config``, plain data, so the file still loads
    with ``weights_only=True``.
    """
    checkpoint = {'epoch': int(epoch), 'model_state_dict': model.state_dict(),
                  'accuracy': float(accuracy), 'hupr_ros_config': config_dict(model)}
    if extra:
        checkpoint.update(extra)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + '.tmp')
    torch.save(checkpoint, tmp)
    os.replace(tmp, path)


def export_checkpoint(source: Union[str, os.PathLike], target: Union[str, os.PathLike],
                      half: bool = True, metadata: Optional[Dict[str, Any]] = None) -> None:
    """
    Write a small published-format copy of a checkpoint for shipping.

    Keeps the weights (as float16 with ``half``; they load back into float32 models),
    ``hupr_ros_config`` and ``hupr_ros_training`` (updated with ``metadata``), and drops the
    optimiser and other training state.
    """
    checkpoint = read_checkpoint(source)
    state = {k: (v.half() if half and v.is_floating_point() else v)
             for k, v in checkpoint['model_state_dict'].items()}
    out = {'epoch': checkpoint.get('epoch', 0), 'model_state_dict': state,
           'accuracy': checkpoint.get('accuracy', 0.0)}
    for key in ('hupr_ros_config', 'hupr_ros_training'):
        if key in checkpoint:
            out[key] = checkpoint[key]
    if metadata:
        out['hupr_ros_training'] = {**out.get('hupr_ros_training', {}), **metadata}
    target = pathlib.Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(out, target)
