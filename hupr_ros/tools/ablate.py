# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
hupr-ablate: the paper's ablations (Table 3 rows, K, RAEMap vs VRDAEMap) at one equal budget.

    hupr-ablate DATA OUT --steps 800 [--parallel 2] [--rows baseline CA ...]

Every row trains the ``realtime`` size of the network (F = 8, attention at the two coarse
decoder scales where a row has attention) for the same number of steps with the same
optimiser, seed, batch and window, then evaluates its *last* weights (no model selection) on
the validation split (subjects seen in training) and the test split. Rows:

    baseline      plain decoder fusion, no attention, no PRGCN       (Table 3 "baseline")
    CA, SA, CSAM  channel / spatial / both attentions, no PRGCN     (Table 3)
    CSAM+PRGCN    the full network (= the realtime variant), K = 8, VRDAEMap
    K=2, K=4, K=16  CSAM+PRGCN with another number of Doppler bins  (paper Fig. 9)
    RAEMap        CSAM+PRGCN on range-azimuth-elevation maps of K chirps, no Doppler FFT

Missing training caches (``DATA_cache`` for K = 8, ``DATA_cache_k{K}``, ``DATA_cache_raemap``)
are made first with hupr-preprocess. Runs go to ``OUT/<row>/`` and resume where they stopped:
run the same command again after an interruption (SIGINT / SIGTERM stop the runs with a
resumable checkpoint). The summary goes to ``OUT/ablations.md`` and ``OUT/ablations.json``.
"""

import argparse
import json
import logging
import pathlib
import signal
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

from hupr_ros.training.config import PATH_KEYS

_LOG = logging.getLogger('hupr-ablate')

SPLITS = ('val', 'test')
ATTENTION = [0, 1]   # the realtime variant's attention scales

#: row -> training overrides (on top of the base config)
ROWS: Dict[str, dict] = {
    'baseline': {'variant': 'baseline'},
    'CA': {'variant': 'ca', 'attention_scales': ATTENTION},
    'SA': {'variant': 'sa', 'attention_scales': ATTENTION},
    'CSAM': {'variant': 'csam', 'attention_scales': ATTENTION},
    'CSAM+PRGCN': {'variant': 'realtime'},
    'K=2': {'variant': 'realtime', 'num_doppler': 2},
    'K=4': {'variant': 'realtime', 'num_doppler': 4},
    'K=16': {'variant': 'realtime', 'num_doppler': 16},
    'RAEMap': {'variant': 'realtime', 'representation': 'raemap'},
}

BASE = {'num_filters': 8, 'batch_size': 4, 'seed': 0, 'threads': 1, 'save_every': 50,
        'val_split': '', 'max_minutes': None}


def cache_dir(data: pathlib.Path, row: dict) -> pathlib.Path:
    """Return the training cache a row reads (one per representation and K)."""
    k = row.get('num_doppler', 8)
    if row.get('representation', 'vrdaemap') == 'raemap':
        return data.with_name(f'{data.name}_cache_raemap' + (f'_k{k}' if k != 8 else ''))
    return data.with_name(data.name + ('_cache' if k == 8 else f'_cache_k{k}'))


def slug(name: str) -> str:
    return name.replace('+', '_').replace('=', '').lower()


def _set(overrides: dict) -> List[str]:
    """``--set`` arguments: YAML values, except paths, which hupr-train takes verbatim."""
    return [f'{k}={v}' if k in PATH_KEYS else f'{k}={json.dumps(v)}'
            for k, v in overrides.items()]


class Ablation:

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.running: Dict[str, tuple] = {}   # row -> (process, commands left)
        self.base = args.out / 'base.yaml'
        self.stopping = False

    def preprocess(self, data: pathlib.Path, cache: pathlib.Path, row: dict) -> None:
        command = [sys.executable, '-m', 'hupr_ros.tools.preprocess', str(data), str(cache),
                   '--output', 'input', '--doppler', str(row.get('num_doppler', 8)),
                   '--representation', row.get('representation', 'vrdaemap'),
                   '--workers', str(self.args.parallel)]
        _LOG.info('making cache %s', cache)
        if subprocess.run(command).returncode:
            raise RuntimeError(f'hupr-preprocess failed for {cache}')

    def train_command(self, name: str) -> List[str]:
        args = self.args
        row = ROWS[name]
        out = args.out / slug(name)
        overrides = {**BASE, **row, 'data_root': str(args.data),
                     'cache': str(cache_dir(args.data, row)), 'out_dir': str(out),
                     'alignment': args.alignment, 'max_steps': args.steps}
        command = [sys.executable, '-m', 'hupr_ros.tools.train', str(self.base), '--quiet',
                   '--set', *_set(overrides)]
        if (out / 'last.pth').is_file():
            command.append('--resume')
        return command

    def trained(self, name: str) -> bool:
        out = self.args.out / slug(name)
        if not (out / 'last.pth').is_file():
            return False
        import torch
        state = torch.load(out / 'last.pth', map_location='cpu', weights_only=False)
        return state.get('training', {}).get('step', 0) >= self.args.steps

    def eval_command(self, name: str) -> Optional[List[str]]:
        """
        Return hupr-eval of a row's last weights on the splits without metrics yet.

        None when every split has them. One process for all of them: one model load.
        """
        out = self.args.out / slug(name)
        splits = [s for s in SPLITS if not (out / f'eval_{s}' / 'metrics.json').is_file()]
        if not splits:
            return None
        return [sys.executable, '-m', 'hupr_ros.tools.evaluate', str(out / 'last.pth'),
                str(self.args.data), '--cache', str(cache_dir(self.args.data, ROWS[name])),
                '--split', *splits, '--out', str(out / 'eval_{split}'), '--threads', '1']

    def commands(self, name: str) -> List[List[str]]:
        """Return what is left to do for a row: train (or resume), evaluate on val and test."""
        todo = [] if self.trained(name) else [self.train_command(name)]
        if todo:   # retrained weights: evaluate again
            for split in SPLITS:
                (self.args.out / slug(name) / f'eval_{split}' / 'metrics.json').unlink(
                    missing_ok=True)
        evaluation = self.eval_command(name)
        return todo + ([evaluation] if evaluation else [])

    def start(self, name: str, commands: List[List[str]]) -> None:
        with open(self.args.out / f'{slug(name)}.log', 'a') as log:
            log.write('$ ' + ' '.join(commands[0]) + '\n')
            log.flush()
            process = subprocess.Popen(commands[0], stdout=log, stderr=subprocess.STDOUT)
        self.running[name] = (process, commands[1:])
        _LOG.info('%s: %s', name, 'training' if 'train' in commands[0][2] else 'evaluating')

    def stop(self, signum, frame) -> None:
        self.stopping = True
        for process, _ in self.running.values():
            process.send_signal(signal.SIGTERM)

    def run(self) -> int:
        args = self.args
        args.out.mkdir(parents=True, exist_ok=True)
        self.base.write_text('# hupr-ablate: the published optimiser defaults; every other key '
                             'comes from --set\nepochs: 200\n')
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        todo = {name: self.commands(name) for name in args.rows}
        queue = [name for name in args.rows if todo[name]]
        _LOG.info('%d rows, %d with work left (%d steps each, %d at a time)', len(args.rows),
                  len(queue), args.steps, args.parallel)
        failed = []
        while (queue or self.running) and not self.stopping:
            while queue and len(self.running) < args.parallel and not self.stopping:
                name = queue.pop(0)
                cache = cache_dir(args.data, ROWS[name])
                if not cache.is_dir():
                    self.preprocess(args.data, cache, ROWS[name])
                self.start(name, todo[name])
            time.sleep(0.2)
            for name, (process, rest) in list(self.running.items()):
                if process.poll() is None:
                    continue
                del self.running[name]
                if process.returncode:
                    if not self.stopping:
                        failed.append(name)
                        _LOG.error('%s: exited %d (see %s.log)', name, process.returncode,
                                   slug(name))
                elif rest:
                    self.start(name, rest)
                else:
                    _LOG.info('%s done', name)
        for process, _ in self.running.values():
            process.wait()
        if self.stopping:
            _LOG.info('stopped; run the same command again to resume')
            return 130
        results = {name: {split: json.loads((args.out / slug(name) / f'eval_{split}'
                                             / 'metrics.json').read_text())
                          for split in SPLITS}
                   for name in args.rows if name not in failed}
        (args.out / 'ablations.json').write_text(json.dumps(results, indent=1))
        (args.out / 'ablations.md').write_text(summary(results, args))
        print(summary(results, args))
        return 1 if failed else 0


def summary(results: Dict[str, dict], args: argparse.Namespace) -> str:
    from hupr_ros.metrics import joint_group_ap
    lines = [f'{args.steps} steps of batch 4 each, {args.alignment} window, last weights; '
             'HuPR-Sim (simulated data)', '']
    for split, title in (('test', 'test split (held-out subject)'),
                         ('val', 'validation split (subjects seen in training)')):
        lines += [f'**{title}**', '']
        head = None
        for name, by_split in results.items():
            m = by_split[split]
            groups = joint_group_ap(m['joint_ap'])
            if head is None:
                head = ['row', 'AP', 'AP50', 'AP75', *groups, 'err px', 'PCK@0.2']
                lines += ['| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)]
            values = [m['ap'], m['ap50'], m['ap75'], *groups.values(), m['mean_error_px'],
                      100 * m['pck']]
            lines.append(f'| {name} | ' + ' | '.join(f'{v:.1f}' for v in values) + ' |')
        lines.append('')
    return '\n'.join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-ablate',
                                     description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.strip().split('\n', 1)[1])
    parser.add_argument('data', type=pathlib.Path, help='data root (HuPR layout, with splits)')
    parser.add_argument('out', type=pathlib.Path, help='folder for the runs and the summary')
    parser.add_argument('--steps', type=int, default=800, help='optimiser steps per row')
    parser.add_argument('--parallel', type=int, default=2,
                        help='rows trained at once, one CPU thread each')
    parser.add_argument('--alignment', choices=('centered', 'causal'), default='centered')
    parser.add_argument('--rows', nargs='*', choices=list(ROWS), default=list(ROWS))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')
    if args.steps < 1 or args.parallel < 1:
        parser.error('--steps and --parallel must be >= 1')
    if not (args.data / 'splits.json').is_file():
        parser.error(f'{args.data}: no splits.json (not a HuPR-layout data root)')
    return Ablation(args).run()


if __name__ == '__main__':
    sys.exit(main())
