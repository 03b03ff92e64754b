# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
int8 inference of the two radar encoders, for CPUs without bfloat16 kernels.

The encoders (:class:`hupr_ros.model.layers.Encoder3D`) are about two thirds of the realtime
model's time in fp32. Statically quantised (8-bit weights per output channel, 7-bit
activations per tensor, torch's ``x86`` engine, whose 3-D convolutions run on oneDNN's int8
kernels) they run about twice as fast on an AVX2 CPU; the Doppler merge, the CSAM decoder and
PRGCN stay in fp32 (docs/benchmarks.md gives the figures and the accuracy).

Static quantisation needs the range of every activation, measured on real inputs: the
*calibration*. It belongs to one set of weights and is kept beside the checkpoint as
``NAME.int8.json`` (``hupr-quantize`` writes it; the shipped models have theirs), holding the
SHA-256 of the weights file it was made for. A model loaded from a checkpoint carries its
calibration (``model.int8_calibration``) or the reason it has none (``model.int8_problem``):
int8 is refused without one rather than run on guessed ranges.

Activations use 7 of the 8 bits (``reduce_range``): AVX2 has no int8 dot product, and its
16-bit pairwise sums saturate with full-range activations.

    ranges = calibrate(model, windows)                    # windows: (hori, vert) network inputs
    write_calibration(weights_path, ranges, source='data/hupr_gen train, 256 windows')
    fast = quantized(load_official_checkpoint(weights_path))
"""

import contextlib
import copy
import hashlib
import importlib
import json
import pathlib
from typing import Dict, Iterable, Iterator, List, Optional, Tuple
import warnings

from hupr_ros.model.hupr_net import HuPRNet
from hupr_ros.model.layers import Conv3d
import torch
from torch import nn

#: torch's quantisation engine used: oneDNN int8 convolutions (fbgemm's 3-D ones are slower).
ENGINE = 'x86'
#: Version of the calibration file's layout.
FORMAT = 1
#: The quantised parts: each radar's encoder, with the Doppler merge whose output it takes.
ENCODERS = (('RAradarEncoder', 'RAchirpNet', 0), ('REradarEncoder', 'REchirpNet', 1))

Ranges = Dict[str, Dict[str, Tuple[float, float]]]


class CalibrationError(ValueError):
    """A calibration file is missing, damaged, or was made for other weights."""


def int8_problem() -> Optional[str]:
    """Say why int8 cannot run in this torch on this CPU (None: it can)."""
    if ENGINE not in torch.backends.quantized.supported_engines:
        return (f"precision 'int8' needs torch's {ENGINE!r} quantisation engine (x86 CPUs); "
                f'this torch has {torch.backends.quantized.supported_engines}')
    try:    # FX quantisation, deprecated in torch in favour of torchao: gone from a later torch
        with _quiet():
            importlib.import_module('torch.ao.quantization.quantize_fx')
    except ImportError as error:
        return (f"precision 'int8' needs torch.ao.quantization's FX mode, which torch "
                f'{torch.__version__} lacks ({error})')
    return None


def calibration_path(weights_path: pathlib.Path) -> pathlib.Path:
    """Where the calibration of a checkpoint lives: ``NAME.int8.json`` beside ``NAME.pth``."""
    weights_path = pathlib.Path(weights_path)
    return weights_path.with_name(weights_path.stem + '.int8.json')


def file_sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as stream:
        for block in iter(lambda: stream.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """torch.ao.quantization warns on every call that it is deprecated (torch is pinned)."""
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        warnings.filterwarnings('ignore', category=UserWarning, module=r'torch\.ao')
        warnings.filterwarnings('ignore', message='.*quantize_per_tensor.*')
        yield


def _qconfig_mapping():
    from torch.ao.quantization import MinMaxObserver, PerChannelMinMaxObserver, QConfig, \
        QConfigMapping
    activation = MinMaxObserver.with_args(dtype=torch.quint8, reduce_range=True)
    weight = PerChannelMinMaxObserver.with_args(dtype=torch.qint8,
                                                qscheme=torch.per_channel_symmetric)
    return QConfigMapping().set_global(QConfig(activation=activation, weight=weight))


def _plain(encoder: nn.Module) -> nn.Module:
    """Copy an encoder with torch's own Conv3d in place of ours (traceable; same parameters)."""
    encoder = copy.deepcopy(encoder)
    for module in list(encoder.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, Conv3d):
                plain = nn.Conv3d(child.in_channels, child.out_channels, child.kernel_size,
                                  child.stride, child.padding, child.dilation, child.groups,
                                  bias=child.bias is not None)
                plain.load_state_dict(child.state_dict())
                setattr(module, name, plain)
    return encoder.eval()


def _prepared(model: HuPRNet, encoder: str, example: torch.Tensor) -> nn.Module:
    from torch.ao.quantization.quantize_fx import prepare_fx
    torch.backends.quantized.engine = ENGINE
    return prepare_fx(_plain(getattr(model, encoder)), _qconfig_mapping(), (example,))


def _observers(prepared: nn.Module) -> Dict[str, nn.Module]:
    return {name: module for name, module in prepared.named_modules()
            if name.startswith('activation_post_process_')}


def _example(model: HuPRNet) -> torch.Tensor:
    c = model.config
    return torch.zeros(1, c.num_filters, c.num_frames, c.range_bins, c.azimuth_bins)


def calibrate(model: HuPRNet, windows: Iterable[Tuple[torch.Tensor, torch.Tensor]]) -> Ranges:
    """
    Measure every activation range of both encoders over ``windows``.

    :param windows: network inputs ``(hori, vert)``, each (B, N, K, 2, R, A, E) float32, from
        the data the model will see (a few hundred frames of the training split).
    :return: per encoder, the observed (min, max) of each quantised activation.
    """
    model = model.eval()
    count = 0
    with _quiet(), torch.no_grad():
        prepared = {name: _prepared(model, name, _example(model)) for name, _, _ in ENCODERS}
        for window in windows:
            for name, chirp_net, side in ENCODERS:
                prepared[name](model.branch(getattr(model, chirp_net), window[side].float()))
            count += 1
    if not count:
        raise CalibrationError('calibration needs at least one window')
    return {name: {key: (float(obs.min_val), float(obs.max_val))
                   for key, obs in _observers(module).items()}
            for name, module in prepared.items()}


def write_calibration(weights_path: pathlib.Path, ranges: Ranges, source: str,
                      out: Optional[pathlib.Path] = None) -> pathlib.Path:
    """Write ``ranges`` as the calibration of ``weights_path`` (default: beside it)."""
    weights_path = pathlib.Path(weights_path)
    out = pathlib.Path(out) if out else calibration_path(weights_path)
    document = {'format': FORMAT, 'engine': ENGINE, 'torch': torch.__version__,
                'weights': weights_path.name, 'weights_sha256': file_sha256(weights_path),
                'source': source,
                'ranges': {name: {key: list(pair) for key, pair in sorted(encoder.items())}
                           for name, encoder in ranges.items()}}
    out.write_text(json.dumps(document, indent=1) + '\n')
    return out


def read_calibration(weights_path: pathlib.Path) -> Tuple[Optional[Ranges], str]:
    """
    Read the calibration kept beside ``weights_path``: (ranges, '') or (None, the reason).

    A file made for other weights (its SHA-256 differs) or damaged counts as none: int8 is then
    refused with that reason instead of running on ranges that do not belong to the weights.
    """
    weights_path = pathlib.Path(weights_path)
    path = calibration_path(weights_path)
    if not path.is_file():
        return None, (f'{weights_path.name} has no int8 calibration ({path.name}; make one '
                      f'with: hupr-quantize {weights_path} DATA)')
    try:
        document = json.loads(path.read_text())
        if document.get('format') != FORMAT:
            raise CalibrationError(f"format {document.get('format')!r}, expected {FORMAT}")
        ranges = {name: {key: (float(lo), float(hi)) for key, (lo, hi) in encoder.items()}
                  for name, encoder in document['ranges'].items()}
        if sorted(ranges) != sorted(name for name, _, _ in ENCODERS):
            raise CalibrationError(f'encoders {sorted(ranges)}')
    except (OSError, ValueError, KeyError, TypeError) as error:
        return None, f'{path} is not a usable int8 calibration: {error}'
    if document.get('weights_sha256') != file_sha256(weights_path):
        return None, (f'{path.name} was made for other weights than {weights_path} (SHA-256 '
                      f'differs): make it again with hupr-quantize')
    return ranges, ''


def quantized(model: HuPRNet, ranges: Optional[Ranges] = None) -> HuPRNet:
    """
    Return a copy of ``model`` whose two encoders run in int8; the rest stays fp32.

    ``ranges``: the calibration (default: the model's own ``int8_calibration``). The copy takes
    and returns float32 tensors.

    :raises CalibrationError: no calibration, or one that does not fit this model.
    """
    problem = int8_problem()
    if problem:
        raise CalibrationError(problem)
    ranges = ranges if ranges is not None else getattr(model, 'int8_calibration', None)
    if ranges is None:
        raise CalibrationError(getattr(model, 'int8_problem', '') or
                               'the model has no int8 calibration (hupr-quantize makes one)')
    from torch.ao.quantization.quantize_fx import convert_fx
    result = copy.deepcopy(model).eval()
    with _quiet():
        for name, _, _ in ENCODERS:
            prepared = _prepared(result, name, _example(result))
            observers = _observers(prepared)
            stored = ranges.get(name, {})
            if sorted(observers) != sorted(stored):
                raise CalibrationError(
                    f'the calibration does not fit this model ({name}: {len(stored)} ranges '
                    f'for {len(observers)} activations); make it again with hupr-quantize')
            for key, observer in observers.items():
                low, high = stored[key]
                if not (low <= high) or not all(map(_finite, (low, high))):
                    raise CalibrationError(f'{name}.{key}: range {low}..{high} is not finite')
                observer.min_val = torch.tensor(low)
                observer.max_val = torch.tensor(high)
            setattr(result, name, convert_fx(prepared))
    return result


def _finite(value: float) -> bool:
    return value == value and abs(value) != float('inf')


def quantized_parts(model: nn.Module) -> List[str]:
    """Names of the parts of ``model`` that run in int8 (empty for an fp32 model)."""
    return [name for name, _, _ in ENCODERS
            if isinstance(getattr(model, name, None), torch.fx.GraphModule)]


__all__ = ['calibrate', 'calibration_path', 'CalibrationError', 'ENGINE', 'int8_problem',
           'quantized', 'quantized_parts', 'read_calibration', 'write_calibration']
