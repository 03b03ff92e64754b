# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""HuPRNet: the published checkpoint format and outputs, every variant, bad input, decoding."""

import json

from hupr_ros.model import build_model, CheckpointError, decode, InputShapeError, \
    load_official_checkpoint, save_checkpoint, VARIANTS
from hupr_ros.model.checkpoint import read_checkpoint
import numpy as np
import pytest
import torch


@pytest.fixture(scope='session')
def reference_input():
    rng = np.random.default_rng(999)
    hori = (rng.random((1, 8, 8, 2, 64, 64, 8)) * 2 - 1).astype(np.float32)
    vert = (rng.random((1, 8, 8, 2, 64, 64, 8)) * 2 - 1).astype(np.float32)
    return torch.from_numpy(hori), torch.from_numpy(vert)


@pytest.mark.parametrize('fast', [True, False], ids=['fast', 'published-order'])
def test_published_checkpoint_reproduces_reference_outputs(data_dir, reference_input, fast):
    model = load_official_checkpoint(data_dir / 'hupr_nf4_checkpoint.pth', num_filters=4,
                                     fast=fast)
    assert not model.training
    with torch.no_grad():
        initial, refined = model(*reference_input)
    assert initial.shape == refined.shape == (1, 14, 64, 64)
    expected_initial = np.load(data_dir / 'hupr_nf4_out_initial.npy').reshape(1, 14, 64, 64)
    expected_refined = np.load(data_dir / 'hupr_nf4_out_refined.npy').reshape(1, 14, 64, 64)
    np.testing.assert_allclose(initial.numpy(), expected_initial, rtol=0, atol=1e-5)
    np.testing.assert_allclose(refined.numpy(), expected_refined, rtol=0, atol=1e-5)


def test_published_keys_and_shapes_at_32_filters(data_dir):
    published = {k: tuple(shape) for k, shape, _ in
                 json.loads((data_dir / 'hupr_official_state_dict_keys.json').read_text())}
    ours = {k: tuple(v.shape) for k, v in build_model().state_dict().items()}
    assert ours == published
    params = sum(p.numel() for p in build_model().parameters())
    assert 35_000_000 < params < 36_000_000


def test_strict_loading_names_the_problem(tmp_path, data_dir):
    checkpoint = read_checkpoint(data_dir / 'hupr_nf4_checkpoint.pth')
    state = dict(checkpoint['model_state_dict'])
    state.pop('radarDecoder.gcn.L1.bias')
    state['radarDecoder.extra.weight'] = torch.zeros(1)
    torch.save({'epoch': 1, 'model_state_dict': state, 'accuracy': 0.0}, tmp_path / 'bad.pth')
    with pytest.raises(CheckpointError) as error:
        load_official_checkpoint(tmp_path / 'bad.pth', num_filters=4)
    assert '1 missing: radarDecoder.gcn.L1.bias' in str(error.value)
    assert '1 unexpected: radarDecoder.extra.weight' in str(error.value)
    with pytest.raises(CheckpointError, match='shape mismatches: RAchirpNet.temporalConvWx1x1'):
        load_official_checkpoint(data_dir / 'hupr_nf4_checkpoint.pth', num_filters=8)
    with pytest.raises(CheckpointError, match='not found: .*nope.pth .*never downloaded'):
        load_official_checkpoint(tmp_path / 'nope.pth')
    (tmp_path / 'garbage.pth').write_bytes(b'not a checkpoint' * 10)
    with pytest.raises(CheckpointError, match='cannot read checkpoint'):
        load_official_checkpoint(tmp_path / 'garbage.pth')
    torch.save({'weights': [1, 2]}, tmp_path / 'other.pth')
    with pytest.raises(CheckpointError, match='no model_state_dict'):
        load_official_checkpoint(tmp_path / 'other.pth')


def test_data_parallel_prefix_and_bare_state_dict(tmp_path, data_dir, reference_input):
    state = read_checkpoint(data_dir / 'hupr_nf4_checkpoint.pth')['model_state_dict']
    torch.save({'module.' + k: v for k, v in state.items()}, tmp_path / 'dp.pth')
    model = load_official_checkpoint(tmp_path / 'dp.pth', num_filters=4)
    with torch.no_grad():
        _, refined = model(*reference_input)
    expected = np.load(data_dir / 'hupr_nf4_out_refined.npy').reshape(1, 14, 64, 64)
    np.testing.assert_allclose(refined.numpy(), expected, atol=1e-5)


def test_own_checkpoint_round_trip_keeps_variant(tmp_path):
    model = build_model('realtime', num_filters=4)
    path = tmp_path / 'run' / 'model_best.pth'
    save_checkpoint(model, path, epoch=3, accuracy=0.5)
    loaded = load_official_checkpoint(path)
    assert loaded.config.variant == 'realtime' and loaded.config.num_filters == 4
    assert loaded.config.attention_scales == (0, 1)
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key
    raw = torch.load(path, weights_only=True)
    assert raw['epoch'] == 3 and set(raw) >= {'epoch', 'model_state_dict', 'accuracy'}


@pytest.mark.parametrize('variant', sorted(VARIANTS))
def test_every_variant_forward_backward_no_nan(variant):
    torch.manual_seed(0)
    model = build_model(variant, num_filters=2, num_frames=4, num_doppler=4).train()
    hori = torch.randn(2, 4, 4, 2, 64, 64, 8)
    vert = torch.randn(2, 4, 4, 2, 64, 64, 8)
    initial, refined = model(hori, vert)
    assert initial.shape == refined.shape == (2, 14, 64, 64)
    assert torch.isfinite(initial).all() and torch.isfinite(refined).all()
    assert 0 <= initial.min() and initial.max() <= 1
    loss = torch.nn.functional.binary_cross_entropy(initial, torch.zeros_like(initial)) + \
        torch.nn.functional.binary_cross_entropy(refined, torch.zeros_like(refined))
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    has_prgcn = variant in ('csam_prgcn', 'realtime')
    assert (model.radarDecoder.gcn is not None) == has_prgcn
    if not has_prgcn:
        assert torch.equal(initial, refined)


def test_fast_and_published_order_agree_including_gradients():
    torch.manual_seed(1)
    fast = build_model('csam_prgcn', num_filters=2, num_frames=4, num_doppler=4)
    plain = build_model('csam_prgcn', num_filters=2, num_frames=4, num_doppler=4, fast=False)
    plain.load_state_dict(fast.state_dict())
    x = torch.randn(1, 4, 4, 2, 64, 64, 8)
    y = torch.randn(1, 4, 4, 2, 64, 64, 8)
    outs = []
    for model in (fast, plain):
        initial, refined = model(x, y)
        (initial.sum() + refined.sum()).backward()
        outs.append((initial.detach(), refined.detach(),
                     model.RAradarEncoder.layer1[0].weight.grad.clone()))
    for a, b in zip(*outs):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5 * float(b.abs().max()))


def test_wrong_input_shapes_are_rejected():
    model = build_model('baseline', num_filters=2)
    good = torch.zeros(1, 8, 8, 2, 64, 64, 8)
    with pytest.raises(InputShapeError, match=r'hori input has shape \(1, 8, 8, 2, 64, 64\)'):
        model(good[..., 0], good)
    with pytest.raises(InputShapeError, match='vert input has shape'):
        model(good, torch.zeros(1, 8, 4, 2, 64, 64, 8))
    with pytest.raises(InputShapeError, match='floating point'):
        model(good, good.long())
    with pytest.raises(ValueError, match='variant'):
        build_model('transformer')


def test_decode_published_argmax_times_four():
    maps = torch.zeros(2, 14, 64, 64)
    for j in range(14):
        maps[0, j, 3 * j, 63 - j] = 0.5 + j / 100   # (y, x)
    maps[1, :, 10, 20] = 0.9
    keypoints, confidence = decode(maps)
    assert keypoints.shape == (2, 14, 2) and confidence.shape == (2, 14)
    for j in range(14):
        assert keypoints[0, j].tolist() == [4 * (63 - j), 4 * 3 * j]
        assert confidence[0, j].item() == pytest.approx(0.5 + j / 100)
    assert (keypoints[1] == torch.tensor([80.0, 40.0])).all()


def test_decode_subpixel_moves_towards_higher_neighbour():
    maps = torch.zeros(1, 14, 64, 64)
    maps[0, :, 30, 30] = 1.0
    maps[0, :, 30, 31] = 0.6       # right neighbour higher than left
    maps[0, :, 29, 30] = 0.3       # upper neighbour higher than lower
    plain, _ = decode(maps)
    refined, _ = decode(maps, subpixel=True)
    assert (plain[0, 0] == torch.tensor([120.0, 120.0])).all()
    assert refined[0, 0].tolist() == [121.0, 119.0]
    with pytest.raises(ValueError, match=r'\(B, C, H, W\)'):
        decode(maps[0])


@pytest.mark.parametrize('doppler', [4, 8])
def test_mnet_pointwise_form_equals_the_strided_convolution(doppler):
    """At inference the fast MNet is one einsum and a max, the bias added last: same numbers."""
    from hupr_ros.model.layers import MNet
    torch.manual_seed(doppler)
    net = MNet(6, doppler).eval()
    x = torch.randn(3, 2, doppler, 5, 7)
    with torch.no_grad():
        strided = net(x)
        assert strided.shape == (3, 6, 1, 5, 7)
        net.fast = True
        torch.testing.assert_close(net.pointwise(x), net.temporalConvWx1x1(x).amax(
            dim=2, keepdim=True), atol=1e-6, rtol=1e-6)
        torch.testing.assert_close(net(x), strided, atol=1e-6, rtol=1e-6)
        # More Doppler bins than the pool covers: the published pooled form, fast or not.
        longer = torch.randn(3, 2, 2 * doppler, 5, 7)
        fast = net(longer)
        net.fast = False
        torch.testing.assert_close(fast, net(longer), atol=0, rtol=0)
        assert fast.shape == (3, 6, 2, 5, 7)
