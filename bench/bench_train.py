# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Benchmark: training throughput and peak memory, evaluation time (CPU).

For each batch size (and F), a child process trains the ``realtime`` variant on a small
simulated set for a few optimiser steps with ``--threads`` torch threads and reports samples/s
(after warm-up) and its peak resident memory. Then it times the evaluation of that model
(forward passes + COCO AP with per-joint AP) per frame.

    python bench/bench_train.py [--threads 2] [--batches 4 8] [--steps 8] [--filters 8 4] \
        [--precisions fp32 bf16]
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, resource, sys, time, torch
from hupr_ros.training import TrainConfig, Trainer
from hupr_ros.training.evaluate import evaluate_model
cfg = TrainConfig(**json.loads(sys.argv[1]))
trainer = Trainer(cfg, show_progress=False)
steps = cfg.max_steps
warm = 2
times = []
original = Trainer._step
def timed(self, batch):
    t = time.perf_counter(); loss = original(self, batch); times.append(time.perf_counter() - t)
    return loss
Trainer._step = timed
trainer.run()
rate = cfg.batch_size * (len(times) - warm) / sum(times[warm:])
t = time.perf_counter()
metrics, _ = evaluate_model(trainer.model, trainer.train_set, batch_size=8, per_joint=True)
eval_s = time.perf_counter() - t
print(json.dumps({'samples_per_s': rate, 'step_s': sum(times[warm:]) / (len(times) - warm),
                  'peak_rss_gb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                  'eval_ms_per_frame': 1e3 * eval_s / metrics.frames,
                  'eval_frames': metrics.frames}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batches', type=int, nargs='+', default=[4, 8])
    parser.add_argument('--steps', type=int, default=8)
    parser.add_argument('--filters', type=int, nargs='+', default=[8],
                        help='F of the realtime variant; several: alternated per batch size')
    parser.add_argument('--precisions', nargs='+', default=['fp32'], choices=['fp32', 'bf16'],
                        help='bf16: bfloat16 autocast (cpu_bf16; CPUs with native bf16 only)')
    args = parser.parse_args()
    from hupr_ros.tools import preprocess
    from hupr_ros.sim.dataset import write_dataset
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        write_dataset(root / 'data', num_sequences=6, frames=24, seed=0, progress=False)
        preprocess.main([str(root / 'data'), str(root / 'cache'), '--output', 'input',
                         '--workers', '2'])
        print(f'torch threads {args.threads}, realtime variant, {args.steps} steps, '
              'first 2 not timed')
        print('| F | batch | precision | samples/s | s/step | peak RSS GB | eval ms/frame (incl. '
              'per-joint AP) |')
        print('| --- | --- | --- | --- | --- | --- | --- |')
        for batch, filters, precision in [(b, f, p) for b in args.batches for f in args.filters
                                          for p in args.precisions]:
            config = {'data_root': str(root / 'data'), 'cache': str(root / 'cache'),
                      'out_dir': str(root / f'run{batch}_{filters}_{precision}'),
                      'variant': 'realtime',
                      'num_filters': filters, 'cpu_bf16': precision == 'bf16',
                      'batch_size': batch, 'threads': args.threads, 'max_steps': args.steps,
                      'val_split': '', 'save_every': 1000, 'log_every': 1000}
            env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
            start = time.perf_counter()
            out = subprocess.run([sys.executable, '-c', CHILD, json.dumps(config)], env=env,
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f'| {filters} | {batch} | {precision} | {r["samples_per_s"]:.2f} | '
                  f'{r["step_s"]:.2f} | '
                  f'{r["peak_rss_gb"]:.2f} | {r["eval_ms_per_frame"]:.1f} '
                  f'({r["eval_frames"]} frames) |  [{time.perf_counter() - start:.0f} s]')


if __name__ == '__main__':
    main()
