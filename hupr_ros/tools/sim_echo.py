# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
hupr-sim-echo: how much of a simulated set's radar echo comes from each body part (no ROS).

    hupr-sim-echo DATA [--split test] [--frames 10 25 40] [--max-sequences 12]

For a few frames of each sequence of a HuPR-Sim set (made by ``hupr-sim``), synthesises the
arms, the legs and the trunk alone with the set's own bodies, motions and settings, and prints,
by the speed of the faster wrist: each group's share of the echo energy in the Doppler bins the
network reads, and the fraction of the arms' echo that lands in those bins rather than in the
other stored ones. It says whether the arms are in the network's input at all
(:mod:`hupr_ros.sim.echo`).
"""

import argparse
import json
import pathlib
import sys
from typing import Optional, Sequence

from hupr_ros.sim.dataset import simulator_for
from hupr_ros.sim.echo import echo_by_group, fastest_wrist_speed, PART_GROUPS
from hupr_ros.sim.scene import SimConfig
import numpy as np

#: Bins of the faster wrist's speed, m/s.
SPEED_BINS = ((0.0, 0.3), (0.3, 1.0), (1.0, float('inf')))


def measure(data: pathlib.Path, split: str, frames: Sequence[int], max_sequences: int) -> list:
    """Per measured frame: (wrist speed, echo_by_group result)."""
    meta_path = data / 'sim_meta.json'
    if not meta_path.is_file():
        raise FileNotFoundError(f'{meta_path} not found: DATA must be a set made by hupr-sim')
    meta = json.loads(meta_path.read_text())
    config = SimConfig(**meta['config'])
    entries = [e for e in meta['sequences'] if e['split'] == split][:max_sequences]
    if not entries:
        raise ValueError(f'{data} has no sequence in the {split!r} split')
    rows = []
    for entry in entries:
        sim = simulator_for(entry, config, meta['seed'])
        for index in frames:
            if 0 <= index < meta['frames']:
                rows.append((fastest_wrist_speed(sim, index), echo_by_group(sim, index)))
    return rows


def table(rows: list) -> str:
    groups = list(PART_GROUPS)
    head = ['faster wrist, m/s', 'frames'] + [f'{radar}: {g} share of the input' for radar in
                                              ('hori', 'vert') for g in groups] + \
        [f'{radar}: arms echo in the input' for radar in ('hori', 'vert')]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)]
    for low, high in SPEED_BINS:
        chosen = [echo for speed, echo in rows if low <= speed < high]
        if not chosen:
            continue
        cells = [f'{low:g}-{high:g}' if high < float('inf') else f'>= {low:g}', str(len(chosen))]
        for radar in ('hori', 'vert'):
            for group in groups:
                share = [e[radar][group].read /
                         max(sum(e[radar][g].read for g in groups), 1e-30) for e in chosen]
                cells.append(f'{100 * np.mean(share):.0f}%')
        for radar in ('hori', 'vert'):
            inside = [e[radar]['arms'].read / max(e[radar]['arms'].stored, 1e-30) for e in chosen]
            cells.append(f'{100 * np.mean(inside):.0f}%')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-sim-echo',
                                     description=__doc__.strip().split('\n')[0])
    parser.add_argument('data', type=pathlib.Path, help='a HuPR-Sim set (hupr-sim output)')
    parser.add_argument('--split', default='test', choices=('train', 'val', 'test'))
    parser.add_argument('--frames', type=int, nargs='+', default=[10, 25, 40],
                        help='frame numbers measured in each sequence')
    parser.add_argument('--max-sequences', type=int, default=12)
    args = parser.parse_args(argv)
    try:
        rows = measure(args.data, args.split, args.frames, args.max_sequences)
    except (FileNotFoundError, ValueError) as error:
        print(f'hupr-sim-echo: {error}', file=sys.stderr)
        return 2
    print(f'{len(rows)} frames of the {args.split} split of {args.data}; means per bin '
          "(shares of the groups' echo energy in the network's Doppler bins)\n")
    print(table(rows))
    return 0


if __name__ == '__main__':
    sys.exit(main())
