# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Benchmark: bf16 and int8 inference against fp32, batch 1, on the CPU.

For the shipped realtime model (its own weights) and the published csam_prgcn variant (fresh
weights, full input; not in int8, which needs trained weights' calibration): median ms per
inference for fp32, bf16 (a bfloat16 copy of the model) and int8 (the encoders in int8,
``hupr_ros.model.quantize``), each through ``hupr_ros.inference.with_precision``, measured
alternately in the same run (rounds of each), the speed-up, and the change in the refined heat
maps and in the decoded keypoints. Precisions this CPU cannot run well (bf16 without bfloat16
kernels) are left out. With ``--data`` the inputs are real windows of a HuPR-Sim cache;
otherwise random normal inputs (timing only depends on shapes).

    python bench/bench_precision.py [--threads 2] [--rounds 5] [--data data/hupr_sim]
        [--precisions fp32 bf16 int8]
"""

import argparse
import pathlib
import statistics

from hupr_ros.inference import precision_problem, with_precision
from hupr_ros.model import build_model, load_pretrained
from hupr_ros.model.decode import decode
import numpy as np
from timing import time_ms
import torch


def run(models, x, y, precision):
    model, dtype = models[precision]
    with torch.inference_mode():
        return [o.float() for o in model(x.to(dtype), y.to(dtype))]


def compare(name, model, inputs, rounds, repeat, precisions, trained=True):
    """Time fp32 and each of ``precisions`` alternately; compare their outputs with fp32's."""
    precisions = ['fp32'] + [p for p in precisions if p != 'fp32']
    models = {p: with_precision(model, p) for p in precisions}
    x, y = inputs[0]
    times = {p: [] for p in precisions}
    for _ in range(rounds):          # alternate: load changes hit all alike
        for precision in precisions:
            times[precision].append(time_ms(lambda: run(models, x, y, precision), repeat))
    fp32 = statistics.median(times['fp32'])
    print(f'{name:22s} fp32 {fp32:7.1f} ms  ({len(inputs)} windows)')
    for precision in precisions[1:]:
        ms = statistics.median(times[precision])
        heat, kp = [], []
        for x, y in inputs:
            a, b = run(models, x, y, 'fp32')[1], run(models, x, y, precision)[1]
            heat.append((a - b).abs().max().item())
            kp.append((decode(a)[0] - decode(b)[0]).norm(dim=-1).numpy().ravel())
        kp = np.concatenate(kp)
        moved = (f'keypoints moved: {np.mean(kp > 0) * 100:.1f}% of joints, mean {kp.mean():.2f} '
                 f'px, max {kp.max():.1f} px' if trained else
                 'keypoints: not compared (fresh weights: flat heat maps, arg-max is noise)')
        print(f'{"":22s} {precision} {ms:7.1f} ms  speed-up {fp32 / ms:.2f}x  '
              f'heat map max |diff| {max(heat):.2e}  {moved}')


def windows(data, model, count):
    from hupr_ros.data import HuPRDataset
    from hupr_ros.dsp import VRDAEConfig
    cache = data.with_name(data.name + '_cache')
    dataset = HuPRDataset(data, cache, 'test', alignment=model.alignment,
                          num_frames=model.config.num_frames,
                          config=VRDAEConfig(num_input_doppler=model.config.num_doppler))
    picks = np.linspace(0, len(dataset) - 1, count).astype(int)
    return [(torch.as_tensor(dataset[int(i)]['hori'])[None],
             torch.as_tensor(dataset[int(i)]['vert'])[None]) for i in picks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--windows', type=int, default=20)
    parser.add_argument('--precisions', nargs='+', default=['fp32', 'bf16', 'int8'],
                        choices=('fp32', 'bf16', 'int8'),
                        help='compared with fp32; those not usable on this CPU are left out')
    parser.add_argument('--data', type=pathlib.Path,
                        help='HuPR-Sim root whose <root>_cache holds the training cache')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, batch 1, '
          f'CPU capability {torch.backends.cpu.get_cpu_capability()}')
    shipped = load_pretrained()
    if args.data:
        inputs = windows(args.data, shipped, args.windows)
    else:
        inputs = [(torch.randn(1, 8, 8, 2, 64, 64, 1), torch.randn(1, 8, 8, 2, 64, 64, 1))
                  for _ in range(args.windows)]
    usable = [p for p in args.precisions if not precision_problem(p, 'cpu', shipped)]
    if usable != args.precisions:
        print(f'left out (not usable here): {sorted(set(args.precisions) - set(usable))}')
    compare('realtime (shipped)', shipped, inputs, args.rounds, args.repeat, usable)
    published = build_model('csam_prgcn').eval()
    full = [(torch.randn(1, 8, 8, 2, 64, 64, 8), torch.randn(1, 8, 8, 2, 64, 64, 8))
            for _ in range(3)]
    compare('csam_prgcn (published)', published, full, max(2, args.rounds // 2), 3,
            [p for p in usable if p != 'int8'], trained=False)   # int8 needs trained weights


if __name__ == '__main__':
    main()
