# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Shipped weights load offline with their metadata; fp16 export round-trips."""

from hupr_ros.model import build_model, export_checkpoint, load_official_checkpoint, \
    load_pretrained, PRETRAINED, pretrained_path, save_checkpoint
import pytest
import torch


@pytest.mark.parametrize('name', sorted(PRETRAINED))
def test_shipped_models_load_with_metadata(name):
    path = pretrained_path(name)
    assert path.is_file() and path.stat().st_size < 15 * 2 ** 20     # small: fp16
    model = load_pretrained(name)
    assert not model.training and model.config.variant == 'realtime'
    assert model.alignment == model.training_metadata['alignment'] and model.alignment in name
    for key in ('val_metrics', 'test_metrics', 'train_command', 'data_command'):
        assert key in model.training_metadata, key
    assert all(p.dtype == torch.float32 for p in model.parameters())
    x = torch.zeros(1, *model.config.input_shape)
    initial, refined = model(x, x)
    assert torch.isfinite(refined).all()


def test_default_and_unknown_names():
    assert load_pretrained().alignment == 'causal'
    with pytest.raises(KeyError, match='available'):
        load_pretrained('no_such_model')


def test_fp16_export_round_trip(tmp_path):
    torch.manual_seed(0)
    model = build_model('realtime', 2).eval()
    save_checkpoint(model, tmp_path / 'full.pth', extra={
        'hupr_ros_training': {'alignment': 'causal'}, 'training': {'step': 3}})
    export_checkpoint(tmp_path / 'full.pth', tmp_path / 'small.pth',
                      metadata={'test_metrics': {'AP': 1.0}})
    small = torch.load(tmp_path / 'small.pth', weights_only=True)
    assert 'training' not in small
    assert all(v.dtype == torch.float16 for v in small['model_state_dict'].values()
               if v.is_floating_point())
    loaded = load_official_checkpoint(tmp_path / 'small.pth')
    assert loaded.alignment == 'causal' and loaded.training_metadata['test_metrics']['AP'] == 1
    x = torch.randn(1, *model.config.input_shape)
    torch.testing.assert_close(loaded(x, x)[1], model(x, x)[1], atol=2e-3, rtol=0)
