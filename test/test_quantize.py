# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
int8 encoders (hupr_ros.model.quantize).

Close to fp32, calibration files tied to their weights, and ``precision`` 'auto' / 'int8'
choosing and refusing as documented.
"""

from hupr_ros import inference
from hupr_ros.inference import PoseEstimator, precision_problem, resolve_precision
from hupr_ros.model import build_model, load_official_checkpoint, load_pretrained, PRETRAINED, \
    pretrained_path, save_checkpoint
from hupr_ros.model.quantize import calibrate, calibration_path, CalibrationError, quantized, \
    quantized_parts, read_calibration, write_calibration
import pytest
import torch

pytestmark = pytest.mark.skipif(inference.int8_problem() is not None,
                                reason='no x86 int8 engine in this torch')


def windows(model, count, seed=0):
    """Make inputs shaped like the training cache's (elevation averaged), |x| of a few units."""
    generator = torch.Generator().manual_seed(seed)
    shape = (1,) + model.config.input_shape[:-1] + (1,)
    return [(torch.randn(shape, generator=generator), torch.randn(shape, generator=generator))
            for _ in range(count)]


@pytest.fixture(scope='module')
def small():
    torch.manual_seed(0)
    return build_model('realtime', num_filters=4).eval()


def test_int8_encoders_follow_fp32(small):
    ranges = calibrate(small, windows(small, 6))
    assert set(ranges) == {'RAradarEncoder', 'REradarEncoder'}
    assert all(low <= high for encoder in ranges.values() for low, high in encoder.values())
    fast = quantized(small, ranges)
    assert quantized_parts(fast) == ['RAradarEncoder', 'REradarEncoder']
    assert quantized_parts(small) == []                 # the fp32 model is left as it was
    with torch.inference_mode():
        for x, y in windows(small, 3, seed=1):
            reference, result = small(x, y), fast(x, y)
            for a, b in zip(reference, result):
                assert b.dtype == torch.float32 and b.shape == a.shape
                assert (a - b).abs().max() < 0.05, (a - b).abs().max()
    with pytest.raises(CalibrationError, match='at least one window'):
        calibrate(small, [])


def test_calibration_file_belongs_to_its_weights(small, tmp_path, monkeypatch):
    path = tmp_path / 'mine.pth'
    save_checkpoint(small, path)
    loaded = load_official_checkpoint(path)
    assert loaded.int8_calibration is None and 'hupr-quantize' in loaded.int8_problem
    with pytest.raises(CalibrationError, match='no int8 calibration'):
        quantized(loaded)
    assert 'no int8 calibration' in precision_problem('int8', 'cpu', loaded)
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: False)
    assert resolve_precision('auto', 'cpu', loaded) == 'fp32'

    ranges = calibrate(small, windows(small, 3))
    written = write_calibration(path, ranges, source='random windows')
    assert written == calibration_path(path) == tmp_path / 'mine.int8.json'
    loaded = load_official_checkpoint(path)
    assert loaded.int8_calibration == ranges
    assert precision_problem('int8', 'cpu', loaded) is None
    assert precision_problem('int8', 'cuda', loaded) is not None
    assert resolve_precision('auto', 'cpu', loaded) == 'int8'    # no bf16 kernels (patched)
    assert resolve_precision('auto', 'cuda', loaded) == 'fp32'
    # An ARM CPU (torch without the x86 engine): fp32, and int8 refused naming the engine.
    monkeypatch.setattr(inference, 'int8_problem', lambda: "needs torch's 'x86' engine")
    assert resolve_precision('auto', 'cpu', loaded) == 'fp32'
    assert "'x86' engine" in precision_problem('int8', 'cpu', loaded)
    monkeypatch.undo()
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: True)
    assert resolve_precision('auto', 'cpu', loaded) == 'bf16'
    x, y = windows(small, 1, seed=2)[0]
    with torch.inference_mode():
        assert torch.equal(quantized(loaded)(x, y)[1], quantized(small, ranges)(x, y)[1])

    # Other weights under the same name: the calibration is refused, not applied.
    torch.manual_seed(1)
    save_checkpoint(build_model('realtime', num_filters=4), path)
    assert read_calibration(path)[0] is None and 'other weights' in read_calibration(path)[1]
    retrained = load_official_checkpoint(path)
    with pytest.raises(CalibrationError, match='other weights'):
        quantized(retrained)
    # A damaged file, and one for a model of another size.
    calibration_path(path).write_text('{"format": 1, "ranges": ')
    assert 'not a usable int8 calibration' in read_calibration(path)[1]
    with pytest.raises(CalibrationError, match='does not fit this model'):
        quantized(small, {'RAradarEncoder': ranges['RAradarEncoder'], 'REradarEncoder': {}})


def test_pose_estimator_runs_int8():
    model = build_model('realtime', num_filters=4).eval()
    with pytest.raises(CalibrationError, match='no int8 calibration'):
        PoseEstimator(model, 'causal', precision='int8')
    model.int8_calibration = calibrate(model, windows(model, 2))
    estimator = PoseEstimator(model, 'causal', precision='int8')
    assert estimator.input_dtype == torch.float32
    assert quantized_parts(estimator.model) == ['RAradarEncoder', 'REradarEncoder']


@pytest.mark.parametrize('name', sorted(PRETRAINED))
def test_shipped_models_carry_their_int8_calibration(name):
    """Retrained shipped weights need hupr-quantize again: this fails until they have it."""
    ranges, problem = read_calibration(pretrained_path(name))
    assert ranges is not None, problem
    model = load_pretrained(name)
    assert model.int8_calibration == ranges
    x, y = windows(model, 1)[0]
    with torch.inference_mode():
        reference, result = model(x, y)[1], quantized(model)(x, y)[1]
    assert torch.isfinite(result).all() and result.shape == reference.shape
