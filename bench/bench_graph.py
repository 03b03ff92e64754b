# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The live graph on this machine: rates, latency from the radar stamp, drops, CPU, memory.

    python bench/bench_graph.py --seconds 60 [--pose-param torch_threads:=1 ...]

Runs the launch file's node set as separate processes (the simulator, preprocessing, the pose
node with the shipped model) plus a recorder subscribed to the horizontal raw frames, the
pairs the pose node takes (``radar/input_pair``, or ``radar/cube_pair`` with ``--pose-param
input:=cube_pair``) and the skeletons, waits until skeletons flow, then measures for
``--seconds``:

- per topic: messages per second;
- latency of pairs and skeletons from the stamp of their radar frame: mean, p50, p95, max (the
  skeleton's stamp is its target frame's, so a centred window adds 0.3 s by design);
- drops at every stage: raw frames missing from the 10 Hz sequence (the simulator late or
  DDS losing them; frame stamps should be 100 ms apart), pairs fewer than raw frames,
  skeletons fewer than raw frames (``--fused``: no pairs on DDS, the pose node pairs);
- the longest silence of each topic (seconds without a message);
- CPU (% of one core), CPU milliseconds per message and RSS (MiB) per node process; and the
  pose node's model alone in this process (``model_alone``), so that the pose node's CPU per
  skeleton reads as a multiple of its model on any machine (``pose_cpu_over_model_cpu``).

``--load N`` adds N busy processes (one busy core each) for the whole run: the graph under the
other work a robot's computer does.

To see what a CPU without AVX-512 (AVX2 only) does on a newer one, cap the instruction sets of
torch's kernels for every process of the run::

    ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 FBGEMM_ENABLE_INSTRUCTIONS=AVX2 \
        python bench/bench_graph.py --seconds 30

(oneDNN then reports no bfloat16 kernels, so ``precision:=auto`` resolves as it would there.)
"""

import argparse
import contextlib
import json
import pathlib
import subprocess
import sys
import time
from typing import Optional, Sequence

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from soak import Graph, REPO  # noqa: E402


def percentiles(values_ms) -> dict:
    if not len(values_ms):
        return {}
    v = np.asarray(values_ms)
    return {'mean': round(float(v.mean()), 1), 'p50': round(float(np.percentile(v, 50)), 1),
            'p95': round(float(np.percentile(v, 95)), 1), 'max': round(float(v.max()), 1)}


def measure(seconds: float, pose_args: Sequence[str] = (), log_dir: Optional[pathlib.Path] = None,
            preprocess_args: Sequence[str] = (), fused: bool = False) -> dict:
    pose_args = list(pose_args) + (['fused:=true'] if fused else [])
    graph = Graph(log_dir or REPO / 'out' / 'bench_graph', pose_args, preprocess_args,
                  record_raw=True)
    try:
        for name in ('pose', 'sim') if fused else ('pose', 'preprocess', 'sim'):
            graph.start(name)
            graph.spin(0.3)
        if graph.wait_flowing(120.0, ('raw_hori', 'skeleton')) is None:
            raise RuntimeError(f'the graph did not start; logs in {graph.log_dir}')
        graph.spin(3.0)                         # settle
        first = {t: len(v) for t, v in graph.stamps.items()}
        start = time.monotonic()
        cpu0 = graph.cpu_seconds()
        graph.sample_rss()
        end = time.monotonic() + seconds
        while time.monotonic() < end:           # RSS every 30 s: growth over a long run
            graph.spin(min(30.0, end - time.monotonic()))
            graph.sample_rss()
        cpu1 = graph.cpu_seconds()
        last = {t: len(v) for t, v in graph.stamps.items()}
        stop = time.monotonic()
    finally:
        exit_codes = graph.stop()
    report = {'seconds': seconds, 'pose_args': list(pose_args), 'fused': fused, 'rates': {},
              'latency_ms': {}}
    window = {t: (first[t], last[t]) for t in first}
    for topic, (a, b) in window.items():
        report['rates'][topic] = round((b - a) / seconds, 2)
        if topic != 'raw_hori' and b > a:
            lat = (np.array(graph.received_ns[topic][a:b]) -
                   np.array(graph.stamps[topic][a:b])) / 1e6
            report['latency_ms'][topic] = percentiles(lat)
    # The longest time a topic went silent: what a user sees as the skeleton freezing.
    report['max_silence_s'] = {
        topic: round(float(np.diff([start] + graph.arrivals[topic][a:b] + [stop]).max()), 2)
        for topic, (a, b) in window.items()}
    raw = graph.stamps['raw_hori'][window['raw_hori'][0]:window['raw_hori'][1]]
    expected = round((raw[-1] - raw[0]) / 1e8) + 1 if len(raw) > 1 else 0
    report['drops'] = {
        'raw_frames_missing': max(0, expected - len(raw)),
        'pairs_fewer_than_raw': None if fused else
        (window['raw_hori'][1] - window['raw_hori'][0]) -
        (window['pair'][1] - window['pair'][0]),
        'skeletons_fewer_than_raw': (window['raw_hori'][1] - window['raw_hori'][0]) -
        (window['skeleton'][1] - window['skeleton'][0])}
    report['cpu_percent'] = {n: round(100 * (cpu1[n] - cpu0[n]) / seconds, 1)
                             for n in cpu1 if n in cpu0}
    # CPU time per message from the process's own clock: what the node costs on this machine,
    # whatever the rate it reached.
    produced = {'sim': 'raw_hori', 'preprocess': 'pair', 'pose': 'skeleton'}
    report['cpu_ms_per_message'] = {
        n: round(1e3 * (cpu1[n] - cpu0[n]) / (window[t][1] - window[t][0]), 1)
        for n, t in produced.items() if n in cpu0 and n in cpu1 and window[t][1] > window[t][0]}
    report['rss_mib'] = {n: v[-1] for n, v in graph.rss.items() if v}
    report['rss_growth_mib'] = {n: round(v[-1] - v[0], 1) for n, v in graph.rss.items()
                                if len(v) > 1}
    report['exit_codes'] = exit_codes
    return report


def model_ms(pose_args: Sequence[str], repeat: int = 20) -> dict:
    """
    Time the pose node's model alone, batch 1, in this process: the yardstick for the node.

    Same weights (``weights_path``, else the shipped default), threads (``torch_threads``, else
    the node's default), precision (``precision``, ``auto`` resolved as the node does), input
    (averaged over elevation) and allocator set-up as the node. When that precision is not
    fp32, ``fp32_wall_ms`` is the fp32 model's time too: the yardstick across machines.
    """
    import torch

    from hupr_ros.memory import keep_freed_memory
    from hupr_ros.inference import auto_threads, resolve_precision, with_precision
    from hupr_ros.model import load_official_checkpoint, resolve_weights
    from timing import time_ms
    keep_freed_memory()
    params = dict(a.split(':=', 1) for a in pose_args if ':=' in a)
    threads = int(params.get('torch_threads', 0)) or auto_threads()
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        fp32 = load_official_checkpoint(resolve_weights(params.get('weights_path', ''))).eval()
        precision = resolve_precision(params.get('precision', 'auto'), 'cpu', fp32)
        model, dtype = with_precision(fp32, precision)
        shape = (1,) + fp32.config.input_shape[:-1] + (1,)
        x, y = torch.randn(shape).to(dtype), torch.randn(shape).to(dtype)
        with torch.inference_mode():
            wall = time_ms(lambda: model(x, y), repeat)
            start = time.process_time()
            for _ in range(repeat):
                model(x, y)
            cpu = 1e3 * (time.process_time() - start) / repeat
            report = {'threads': threads, 'precision': precision, 'wall_ms': round(wall, 1),
                      'cpu_ms': round(cpu, 1)}
            if precision != 'fp32':
                report['fp32_wall_ms'] = round(time_ms(lambda: fp32(x.float(), y.float()),
                                                       repeat), 1)
    finally:
        torch.set_num_threads(previous)
    return report


@contextlib.contextmanager
def busy_cores(count: int):
    """Keep ``count`` processes spinning on the CPU (at normal priority) while inside."""
    spinners = [subprocess.Popen([sys.executable, '-c', 'while True: pass'])
                for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().split('\n')[0])
    parser.add_argument('--seconds', type=float, default=60.0)
    parser.add_argument('--pose-param', action='append', default=[],
                        help='pose node parameter, e.g. torch_threads:=1 (repeatable)')
    parser.add_argument('--preprocess-param', action='append', default=[])
    parser.add_argument('--fused', action='store_true',
                        help='no preprocessing node: the pose node preprocesses (fused:=true)')
    parser.add_argument('--load', type=int, default=0,
                        help='busy processes added for the whole run (one core each)')
    args = parser.parse_args(argv)
    print('$ python bench/bench_graph.py --seconds', f'{args.seconds:g}',
          *[f'--pose-param {p}' for p in args.pose_param],
          *[f'--preprocess-param {p}' for p in args.preprocess_param],
          *(['--fused'] if args.fused else []), *([f'--load {args.load}'] if args.load else []))
    with busy_cores(args.load):
        report = measure(args.seconds, args.pose_param, preprocess_args=args.preprocess_param,
                         fused=args.fused)
    report['load'] = args.load
    report['model_alone'] = model = model_ms(args.pose_param)
    pose_cpu = report['cpu_ms_per_message'].get('pose')
    if pose_cpu:           # what the node spends beyond the model, per skeleton
        report['pose_cpu_over_model_cpu'] = round(pose_cpu / model['cpu_ms'], 2)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
