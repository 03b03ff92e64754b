# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Training configuration.

A frozen dataclass with the published hyper-parameters as defaults, read from YAML with unknown
keys rejected.
"""

import dataclasses
from dataclasses import dataclass
import pathlib
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from hupr_ros.data.dataset import CACHE_KINDS
from hupr_ros.dsp.config import REPRESENTATIONS, VRDAEConfig
from hupr_ros.inference import ALIGNMENTS
from hupr_ros.model.hupr_net import VARIANTS
from hupr_ros.skeleton import joints_named, NUM_JOINTS
import numpy as np
import yaml


class ConfigError(ValueError):
    """A training configuration is invalid (the message names the key)."""


@dataclass(frozen=True)
class TrainConfig:
    """
    Everything a training run depends on.

    Model: ``variant``, ``num_filters`` (None: the variant's default), ``attention_scales``
    (None: the variant's default; the decoder scales with CSAM, 0 = coarsest), ``num_frames`` (N),
    ``num_doppler`` (K), ``alignment`` and ``representation``. Optimisation defaults are the
    published ones: Adam lr 1e-4, betas (0.9, 0.999), weight decay 1e-4, lr x0.999 every 2000
    iterations, batch 20, 200 epochs, loss BCE(initial) + BCE(refined).

    ``init_from``: start from the weights of this checkpoint (fine-tuning; fresh optimiser),
    instead of a random initialisation.

    Numerics: ``amp`` (GPU: float16 autocast with a gradient scaler); ``cpu_bf16`` (CPU:
    bfloat16 autocast, for CPUs with native bfloat16 kernels -- AVX-512 BF16 or AMX --, refused
    on others, where it is emulated and many times slower). The loss is float32 either way.

    Bounds for runs on small machines: ``max_steps`` (total optimiser steps, across resumes)
    and ``max_minutes`` (wall time of one invocation); both stop with a resumable checkpoint.
    Data from recordings: ``bags`` maps ``train`` / ``val`` (and ``test``) to lists of
    labelled bags or folders of bags (relative to the YAML); they become the data root and
    cache under ``out_dir/bag_data`` (:mod:`hupr_ros.data.from_bags`), and ``data_root`` /
    ``cache`` are then not needed.
    ``also_train``: more training data beside ``data_root``, a list of mappings with
    ``data_root`` and ``cache`` (relative to the YAML) and optionally ``split`` (default
    ``train``) or ``sequences``; their samples join the training set (validation stays on
    ``data_root``). For example, the generative set and the six-subject set together, so that a
    model learns new bodies without losing the old held-out subject.
    Data: ``train_split`` / ``val_split`` name splits of ``data_root/splits.json``;
    ``train_sequences`` / ``val_sequences``, when given, list sequence numbers instead (e.g. the
    published split of the public HuPR data). An empty ``val_split`` and no ``val_sequences``:
    no validation.

    ``joint_weights``: the loss weight of some joints, a mapping of joint names (``R_Wrist``) or
    joint types (``wrist``: both sides) to positive numbers, the others weighing 1; the BCE is
    then averaged per joint and weighted (weights normalised to sum to the number of joints),
    e.g. ``{elbow: 3, wrist: 3}`` to push the shared layers towards the arms. None (default):
    the published loss.

    ``labelled_in_image``: the loss leaves out the joints whose true position lies outside the
    256 x 256 image (a simulated label can hold one, a camera-made one cannot, and their target
    map is empty or cut off); the loss is the mean over the joints left. False (default): the
    published loss, every joint counted. The same on data labelled from a camera.

    ``eval_every``: validate every this many steps (0: at the end of every epoch) on at most
    ``val_max_frames`` frames, spread evenly over the validation split.

    ``keep_every``: also keep the weights every this many steps, as ``step_NNNNNNN.pth`` in
    the run folder (published format with the run's metadata, like ``best.pth``), so that any
    split can be evaluated along the run afterwards (a test learning curve); 0: keep none.
    """

    data_root: str = ''
    cache: str = ''
    bags: Optional[Dict[str, List[str]]] = None
    also_train: Optional[List[Dict[str, Any]]] = None
    out_dir: str = 'runs/hupr'
    cache_kind: str = 'input'
    train_split: str = 'train'
    val_split: str = 'val'
    train_sequences: Optional[Tuple[int, ...]] = None
    val_sequences: Optional[Tuple[int, ...]] = None
    variant: str = 'csam_prgcn'
    num_filters: Optional[int] = None
    attention_scales: Optional[Tuple[int, ...]] = None
    num_frames: int = 8
    num_doppler: int = 8
    alignment: str = 'centered'
    representation: str = 'vrdaemap'
    batch_size: int = 20
    epochs: int = 200
    lr: float = 1e-4
    betas: Tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 1e-4
    lr_decay: float = 0.999
    lr_decay_every: int = 2000
    joint_weights: Optional[Dict[str, float]] = None
    labelled_in_image: bool = False
    init_from: str = ''
    seed: int = 0
    device: str = 'auto'
    amp: bool = True
    cpu_bf16: bool = False
    threads: Optional[int] = None
    workers: int = 0
    max_steps: Optional[int] = None
    max_minutes: Optional[float] = None
    eval_every: int = 0
    val_max_frames: int = 400
    save_every: int = 100
    keep_every: int = 0
    log_every: int = 10

    def __post_init__(self) -> None:
        checks = [
            (self.variant in VARIANTS, f'variant must be one of {sorted(VARIANTS)}'),
            (self.alignment in ALIGNMENTS, f'alignment must be one of {ALIGNMENTS}'),
            (self.representation in REPRESENTATIONS,
             f'representation must be one of {REPRESENTATIONS}'),
            (self.cache_kind in CACHE_KINDS, f'cache_kind must be one of {CACHE_KINDS}'),
            (self.batch_size >= 1, 'batch_size must be >= 1'),
            (self.epochs >= 1, 'epochs must be >= 1'),
            (self.lr > 0, 'lr must be > 0'),
            (len(self.betas) == 2, 'betas must be two numbers'),
            (self.lr_decay_every >= 1, 'lr_decay_every must be >= 1'),
            (self.save_every >= 1 and self.log_every >= 1, 'save_every, log_every >= 1'),
            (self.eval_every >= 0, 'eval_every must be >= 0'),
            (self.keep_every >= 0, 'keep_every must be >= 0'),
            (self.workers >= 0, 'workers must be >= 0'),
            (self.bags is None or isinstance(self.bags, dict) and all(
                k in ('train', 'val', 'test') and isinstance(v, list) and all(
                    isinstance(x, str) for x in v) for k, v in self.bags.items()),
             'bags must map train / val / test to lists of bags or folders of bags'),
            (self.also_train is None or isinstance(self.also_train, list) and all(
                isinstance(x, dict) and {'data_root', 'cache'} <= set(x)
                and set(x) <= {'data_root', 'cache', 'split', 'sequences'}
                and isinstance(x['data_root'], str) and isinstance(x['cache'], str)
                for x in self.also_train),
             'also_train must list mappings of data_root and cache (and optionally split or '
             'sequences)'),
            (self.joint_weights is None or isinstance(self.joint_weights, dict) and all(
                isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
                and v > 0 for k, v in self.joint_weights.items()),
             'joint_weights must map joint names or types to positive numbers'),
            (self.attention_scales is None
             or all(isinstance(s, int) and 0 <= s <= 2 for s in self.attention_scales),
             'attention_scales must list decoder scales among 0, 1, 2'),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(f'{message} (config: {self.summary()})')
        self.preprocessing()      # K / representation combination
        self.joint_weight_vector()

    def joint_weight_vector(self) -> Optional[np.ndarray]:
        """``joint_weights`` per output joint, float32 (14,) summing to 14; None: published."""
        if self.joint_weights is None:
            return None
        weights = np.ones(NUM_JOINTS, dtype=np.float32)
        for name, weight in self.joint_weights.items():
            try:
                weights[list(joints_named(name))] = weight
            except KeyError as error:
                raise ConfigError(f'joint_weights: {error.args[0]}') from None
        return weights * (NUM_JOINTS / weights.sum())

    def summary(self) -> str:
        return ', '.join(f'{f.name}={getattr(self, f.name)!r}' for f in dataclasses.fields(self)
                         if getattr(self, f.name) != f.default)

    def preprocessing(self) -> VRDAEConfig:
        try:
            return VRDAEConfig(representation=self.representation,
                               num_input_doppler=self.num_doppler)
        except ValueError as error:
            raise ConfigError(f'num_doppler / representation: {error}') from error

    def as_dict(self) -> Dict[str, Any]:
        data = dataclasses.asdict(self)
        for name in SEQUENCE_KEYS:
            if data[name] is not None:
                data[name] = list(data[name])
        return data

    def replace(self, **changes) -> 'TrainConfig':
        return from_dict({**self.as_dict(), **changes})


def from_dict(data: Dict[str, Any], source: str = 'config') -> TrainConfig:
    """Build a TrainConfig from plain data; unknown keys and wrong types are errors."""
    if not isinstance(data, dict):
        raise ConfigError(f'{source}: expected a mapping of keys, got {type(data).__name__}')
    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f'{source}: unknown keys {unknown}; known keys: {sorted(fields)}')
    values = dict(data)
    for name in SEQUENCE_KEYS:
        if values.get(name) is not None:
            if not isinstance(values[name], (list, tuple)):
                raise ConfigError(f'{source}: {name} must be a list, got {values[name]!r}')
            values[name] = tuple(values[name])
    for name in ('lr', 'weight_decay', 'lr_decay', 'max_minutes'):
        if isinstance(values.get(name), (int, str)) and not isinstance(values.get(name), bool):
            try:
                values[name] = float(values[name])
            except ValueError as error:
                raise ConfigError(f'{source}: {name} must be a number, got '
                                  f'{values[name]!r}') from error
    for name, value in values.items():
        default = fields[name].default
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ConfigError(f'{source}: {name} must be true or false, got {value!r}')
        if isinstance(default, int) and not isinstance(default, bool) \
                and not isinstance(value, int):
            raise ConfigError(f'{source}: {name} must be an integer, got {value!r}')
    return TrainConfig(**values)


def load_config(path: Union[str, pathlib.Path],
                overrides: Sequence[str] = ()) -> TrainConfig:
    """
    Read a YAML training config; ``overrides`` are ``key=value`` strings (YAML values).

    Relative ``data_root``, ``cache`` and ``out_dir`` are taken relative to the YAML file
    when they come from it, and to the working directory when they come from an override.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise ConfigError(f'config file not found: {path}')
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f'{path}: not valid YAML ({error})') from error
    if not isinstance(data, dict):
        raise ConfigError(f'{path}: expected a mapping of keys, got {type(data).__name__}')
    for key in PATH_KEYS:
        if data.get(key) and not pathlib.Path(data[key]).is_absolute():
            data[key] = str((path.parent / data[key]).resolve())
    if isinstance(data.get('bags'), dict):
        data['bags'] = {split: [str((path.parent / b).resolve()) for b in bags]
                        if isinstance(bags, list) else bags
                        for split, bags in data['bags'].items()}
    data['also_train'] = _resolve_also_train(data.get('also_train'), path.parent)
    for item in overrides:
        key, sep, value = item.partition('=')
        if not sep:
            raise ConfigError(f'override {item!r} is not key=value')
        key = key.strip()
        data[key] = yaml.safe_load(value)
        if key in PATH_KEYS:
            data[key] = str(pathlib.Path(value).resolve())
        if key == 'bags' and isinstance(data[key], dict):      # relative to the shell
            data[key] = {split: [str(pathlib.Path(b).resolve()) for b in bags]
                         if isinstance(bags, list) else bags
                         for split, bags in data[key].items()}
        if key == 'also_train':
            data[key] = _resolve_also_train(data[key], pathlib.Path.cwd())
    return from_dict(data, str(path))


def _resolve_also_train(entries: Any, base: pathlib.Path) -> Any:
    """``also_train`` with its relative data_root / cache taken relative to ``base``."""
    if not isinstance(entries, list):
        return entries
    return [{k: str((base / v).resolve()) if k in ('data_root', 'cache') and isinstance(v, str)
             else v for k, v in entry.items()} if isinstance(entry, dict) else entry
            for entry in entries]


PATH_KEYS = ('data_root', 'cache', 'out_dir', 'init_from')
SEQUENCE_KEYS = ('betas', 'train_sequences', 'val_sequences', 'attention_scales')
