# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
hupr-train: train HuPRNet from a YAML config (published hyper-parameters by default).

    hupr-train CONFIG.yaml [--resume] [--set key=value ...]

Multi-GPU:  torchrun --nproc_per_node 4 -m hupr_ros.tools.train CONFIG.yaml
Ctrl-C saves a resumable last.pth; --resume continues exactly where it stopped.
"""

import argparse
import logging
import sys
from typing import Optional, Sequence

from hupr_ros.data.dataset import DatasetError
from hupr_ros.model.checkpoint import CheckpointError
from hupr_ros.training.config import ConfigError, load_config
from hupr_ros.training.trainer import Trainer, TrainingDiverged


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='hupr-train', description=__doc__.strip().split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.strip().split('\n', 1)[1])
    parser.add_argument('config', help='training YAML (keys: hupr_ros.training.TrainConfig)')
    parser.add_argument('--resume', action='store_true', help='continue OUT_DIR/last.pth')
    parser.add_argument('--set', nargs='*', default=[], metavar='KEY=VALUE',
                        help='override config keys, e.g. --set max_steps=200 device=cuda')
    parser.add_argument('--quiet', action='store_true', help='no progress bar')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')
    log = logging.getLogger('hupr-train')
    try:
        config = load_config(args.config, args.set)
        trainer = Trainer(config, resume=args.resume, show_progress=not args.quiet)
        progress = trainer.run()
    except (ConfigError, DatasetError, CheckpointError, FileNotFoundError, ValueError) as error:
        log.error('%s', error)
        return 2
    except TrainingDiverged as error:
        log.error('%s', error)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        import torch.distributed as dist
        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
    log.info('stopped at epoch %d, step %d; best val AP %.1f; checkpoints in %s',
             progress.epoch, progress.step, progress.best_ap, config.out_dir)
    return 0


if __name__ == '__main__':
    sys.exit(main())
