# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Training and evaluation data straight from labelled recordings (rosbag2 bags).

``hupr-train`` (config key ``bags``) and ``hupr-eval`` (a bag or a folder of bags as DATA)
read recordings through the same :class:`~hupr_ros.data.dataset.HuPRDataset` as the public
layout: :func:`prepare` turns the bags into that layout (one sequence per bag, so windows
never span two recordings; splits go by bag; radar pairs and labels match by stamp within
the preprocessing node's 50 ms) and preprocesses it, once, into a work folder keyed by the
bags' contents. A re-run with the same bags reuses it.
"""

import hashlib
import json
import pathlib
import shutil
from typing import Dict, List, Sequence, Tuple, Union

from hupr_ros.bags import BagError, open_reader, typestore
from hupr_ros.data.convert import ConversionError, recordings_to_layout
from hupr_ros.data.layout import DatasetError
from hupr_ros.data.preprocess import find_jobs, is_done, preprocess_capture
from hupr_ros.dsp.config import VRDAEConfig
from hupr_ros.pairing import PAIR_TOLERANCE_S

PathLike = Union[str, pathlib.Path]


def is_bag(path: pathlib.Path) -> bool:
    return (path / 'metadata.yaml').is_file()


def find_bags(paths: Sequence[PathLike]) -> List[pathlib.Path]:
    """Each path is a bag folder or a folder of bag folders -> the bags, in name order."""
    bags: List[pathlib.Path] = []
    for path in map(pathlib.Path, paths):
        if is_bag(path):
            bags.append(path)
        elif path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_dir() and is_bag(p))
            if not found:
                raise DatasetError(f'{path}: neither a rosbag2 bag nor a folder of bags')
            bags.extend(found)
        else:
            raise DatasetError(f'{path}: no such bag or folder')
    return bags


def check_definitions(bag: pathlib.Path) -> None:
    """
    Refuse a bag of other hupr_msgs definitions.

    Refuse a bag whose hupr_msgs types differ from the ones installed here (a recording
    made with another message definition would be misread).
    """
    store = typestore()
    reader = open_reader(bag)
    try:
        for connection in reader.connections:
            if not connection.msgtype.startswith('hupr_msgs/'):
                continue
            if connection.msgtype not in store.types:
                raise DatasetError(f'{bag}: {connection.topic} has type {connection.msgtype}, '
                                   'which this hupr_msgs does not define')
            digest = getattr(connection, 'digest', '') or ''
            ours = store.hash_rihs01(connection.msgtype)
            if digest.startswith('RIHS01_') and digest != ours:
                raise DatasetError(
                    f'{bag}: {connection.topic} was recorded with another definition of '
                    f'{connection.msgtype} ({digest[:19]}... vs {ours[:19]}... here); '
                    'convert it with the hupr_msgs it was recorded with')
    finally:
        reader.close()


def _fingerprint(bags_by_split: Dict[str, List[pathlib.Path]], tolerance_s: float) -> str:
    h = hashlib.sha256(json.dumps(tolerance_s).encode())
    for split in sorted(bags_by_split):
        for bag in bags_by_split[split]:
            h.update(f'{split}:{bag.resolve()}'.encode())
            for f in sorted(bag.iterdir()):
                stat = f.stat()
                h.update(f'{f.name}:{stat.st_size}:{stat.st_mtime_ns}'.encode())
    return h.hexdigest()[:16]


def prepare(bags_by_split: Dict[str, Sequence[PathLike]], work_dir: PathLike,
            config: VRDAEConfig = VRDAEConfig(), cache_kind: str = 'input',
            tolerance_s: float = PAIR_TOLERANCE_S) -> Tuple[pathlib.Path, pathlib.Path]:
    """
    Turn bags into a data root and cache for HuPRDataset.

    Bags per split ('train', 'val', 'test'; each a list of bags or folders of bags) ->
    (data root, cache) for :class:`HuPRDataset`, made under ``work_dir``.

    Raises :class:`DatasetError` for a bag without both radars or without labels, one of
    another message definition, and the same bag (folder name) in two places.
    """
    unknown = sorted(set(bags_by_split) - {'train', 'val', 'test'})
    if unknown:
        raise DatasetError(f'bag splits must be train, val or test, got {unknown}')
    found = {split: find_bags(paths) for split, paths in bags_by_split.items() if paths}
    names = [b.name for bags in found.values() for b in bags]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DatasetError(f'bag names must be unique across the splits (one sequence '
                           f'each), these appear twice: {twice}')
    for bags in found.values():
        for bag in bags:
            try:
                check_definitions(bag)
            except BagError as error:
                raise DatasetError(str(error)) from None
    work = pathlib.Path(work_dir)
    root = work / f'bags_{_fingerprint(found, tolerance_s)}'
    if not (root / 'splits.json').is_file():
        tmp = root.with_name(root.name + '.partial')
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        ordered = [b for split in ('train', 'val', 'test') for b in found.get(split, [])]
        try:
            recordings_to_layout(ordered, tmp, {s: [b.name for b in bags]
                                                for s, bags in found.items()},
                                 tolerance_s=tolerance_s)
        except (ConversionError, BagError) as error:
            shutil.rmtree(tmp, ignore_errors=True)
            raise DatasetError(str(error)) from None
        (tmp / 'bags.json').write_text(json.dumps(
            {split: [str(b.resolve()) for b in bags] for split, bags in found.items()},
            indent=1))
        shutil.rmtree(root, ignore_errors=True)
        tmp.rename(root)
    cache = root.with_name(root.name + '_cache')
    output = 'input' if cache_kind == 'input' else 'cube'
    for seq, radar in find_jobs(root):
        source = root / seq / radar / 'adc_data.bin'
        out = cache / seq / radar
        if not is_done(out, source, 'complex64' if output == 'cube' else 'float32', config,
                       output):
            preprocess_capture(source, out, config=config, output=output)
    return root, cache


def sequence_bags(root: pathlib.Path) -> Dict[str, List[str]]:
    """Return, per split, the bags its sequences came from (in sequence order)."""
    return json.loads((root / 'bags.json').read_text())
