# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The training loop: published recipe, exact resume, bounded runs, DDP (no ROS).

Run folder (``config.out_dir``)::

    config.yaml        the final configuration, with the git commit of the code
    last.pth           latest state: published-format weights + ``training`` (optimiser,
                       scheduler, RNG, epoch, step, position in the epoch, best so far)
    best.pth           best validation AP (ties: lower pixel error), published format plus
                       ``hupr_ros_training`` metadata (alignment, K, data, metrics)
    step_NNNNNNN.pth   with ``keep_every``: the weights at every such step, as best.pth
    tb/                TensorBoard scalars (when the tensorboard package is installed)
    metrics.jsonl      one line per validation
    curves.png         validation AP / AP50 and joint error / PCK against the step

Resuming replays the same sample order: epoch ``e`` shuffles with a generator seeded by
``seed + e``, and a resumed epoch skips the batches already done.
"""

from dataclasses import dataclass
import json
import logging
import math
import pathlib
import time
from typing import Optional

from hupr_ros.data.dataset import HuPRDataset
from hupr_ros.inference import precision_problem
from hupr_ros.metrics import inside_image, PoseMetrics
from hupr_ros.model import build_model, save_checkpoint, VARIANTS
from hupr_ros.model.checkpoint import load_state_strict, read_checkpoint
from hupr_ros.training.config import TrainConfig
from hupr_ros.training.distributed import barrier, init_distributed
from hupr_ros.training.evaluate import collate, evaluate_model
from hupr_ros.training.loss import heatmap_loss
from hupr_ros.training.process import git_commit, interrupt_on_signals
from hupr_ros.training.sampling import epoch_batches, even_subset
import numpy as np
import torch
from torch.utils.data import ConcatDataset, DataLoader
import yaml

_LOG = logging.getLogger('hupr-train')


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


@dataclass
class Progress:
    """Where a run stands (saved in last.pth)."""

    epoch: int = 0
    step: int = 0               # optimiser steps done in total
    batch_in_epoch: int = 0     # batches of ``epoch`` already done
    best_ap: float = -1.0
    best_error: float = math.inf


class Trainer:
    """
    One training run (see module docstring). ``run()`` returns the final :class:`Progress`.

    :raises TrainingDiverged: the loss became NaN / inf (last.pth then holds the last good state).
    """

    def __init__(self, config: TrainConfig, resume: bool = False,
                 show_progress: bool = True) -> None:
        self.config = config
        self.show_progress = show_progress
        self.placement = init_distributed(config.device)
        self.device, self.rank, self.world = (self.placement.device, self.placement.rank,
                                              self.placement.world)
        if config.threads:
            torch.set_num_threads(config.threads)
        self.out = pathlib.Path(config.out_dir)
        self.is_main = self.placement.is_main
        torch.manual_seed(config.seed)
        np.random.seed(config.seed % (1 << 32))
        preprocessing = config.preprocessing()
        if config.bags:
            config = self.config = self._data_from_bags(config, preprocessing)
        common = {'alignment': config.alignment, 'num_frames': config.num_frames,
                  'config': preprocessing, 'cache_kind': config.cache_kind}
        self.train_set = HuPRDataset(config.data_root, config.cache, config.train_split,
                                     config.train_sequences, **common)
        if config.also_train:
            self.train_set = ConcatDataset(
                [self.train_set] + [HuPRDataset(
                    extra['data_root'], extra['cache'], extra.get('split', 'train')
                    if extra.get('sequences') is None else '', extra.get('sequences'), **common)
                    for extra in config.also_train])
        self.val_set = None
        if (config.val_split or config.val_sequences) and self.is_main:
            self.val_set = even_subset(
                HuPRDataset(config.data_root, config.cache, config.val_split,
                            config.val_sequences, **common), config.val_max_frames)
        scales = {} if config.attention_scales is None else \
            {'attention_scales': tuple(config.attention_scales)}
        self.model = build_model(config.variant, config.num_filters, num_frames=config.num_frames,
                                 num_doppler=config.num_doppler, **scales)
        self.model.to(self.device).train()
        self.with_refined = VARIANTS[config.variant].prgcn
        weights = config.joint_weight_vector()
        self.joint_weights = None if weights is None else torch.from_numpy(weights).to(self.device)
        self.net = self.model
        if self.world > 1:
            from torch.nn.parallel import DistributedDataParallel
            self.net = DistributedDataParallel(
                self.model, device_ids=[self.device.index] if self.device.type == 'cuda'
                else None)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr,
                                          betas=tuple(config.betas),
                                          weight_decay=config.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.StepLR(
            self.optimizer, step_size=config.lr_decay_every, gamma=config.lr_decay)
        self.amp = config.amp and self.device.type == 'cuda'
        self.cpu_bf16 = config.cpu_bf16 and self.device.type == 'cpu'
        if self.cpu_bf16 and precision_problem('bf16', 'cpu'):
            raise ValueError(f"cpu_bf16: {precision_problem('bf16', 'cpu')}")
        self.autocast_dtype = torch.bfloat16 if self.cpu_bf16 else torch.float16
        self.scaler = torch.amp.GradScaler('cuda', enabled=self.amp)
        self.progress = Progress()
        self._validated_step = -1
        if resume:
            self._resume()
        elif config.init_from:
            source = read_checkpoint(config.init_from)
            load_state_strict(self.model, source['model_state_dict'], config.init_from)
            _LOG.info('weights initialised from %s (fresh optimiser)', config.init_from)
        self.writer = None

    # -- checkpoints ---------------------------------------------------------------------------
    def _training_state(self) -> dict:
        p = self.progress
        return {'optimizer': self.optimizer.state_dict(),
                'scheduler': self.scheduler.state_dict(),
                'scaler': self.scaler.state_dict(),
                'torch_rng': torch.get_rng_state(),
                'epoch': p.epoch, 'step': p.step, 'batch_in_epoch': p.batch_in_epoch,
                'best_ap': p.best_ap, 'best_error': p.best_error,
                'config': self.config.as_dict()}

    def save_last(self) -> None:
        if self.is_main:
            save_checkpoint(self.model, self.out / 'last.pth', epoch=self.progress.epoch,
                            accuracy=max(self.progress.best_ap, 0.0),
                            extra={'training': self._training_state(),
                                   'hupr_ros_training': self._metadata()})

    def keep_weights(self) -> None:
        """Keep this step's weights (``keep_every``), published format with the run's metadata."""
        if self.is_main:
            p = self.progress
            save_checkpoint(self.model, self.out / f'step_{p.step:07d}.pth', epoch=p.epoch,
                            accuracy=max(p.best_ap, 0.0),
                            extra={'hupr_ros_training': self._metadata()})

    def _resume(self) -> None:
        path = self.out / 'last.pth'
        if not path.is_file():
            raise FileNotFoundError(f'--resume: no {path} to resume from (start without '
                                    '--resume, or point out_dir at the earlier run)')
        checkpoint = read_checkpoint(path)
        state = checkpoint.get('training')
        if not isinstance(state, dict):
            raise ValueError(f'{path} holds no training state (a weights-only checkpoint)')
        stored = dict(state['config'])
        mismatched = [k for k in ('variant', 'num_filters', 'attention_scales', 'num_frames',
                                  'num_doppler',
                                  'alignment', 'representation', 'batch_size', 'seed',
                                  'also_train')
                      if stored.get(k) != self.config.as_dict()[k]]
        if mismatched:
            raise ValueError(f'{path} was trained with other settings for {mismatched}: '
                             + ', '.join(f'{k}={stored.get(k)!r} (now '
                                         f'{self.config.as_dict()[k]!r})' for k in mismatched))
        load_state_strict(self.model, checkpoint['model_state_dict'], str(path))
        self.optimizer.load_state_dict(state['optimizer'])
        self.scheduler.load_state_dict(state['scheduler'])
        self.scaler.load_state_dict(state['scaler'])
        self._apply_optimiser_settings(stored)
        torch.set_rng_state(state['torch_rng'])
        self.progress = Progress(state['epoch'], state['step'], state['batch_in_epoch'],
                                 state['best_ap'], state['best_error'])
        _LOG.info('resumed %s at epoch %d, step %d', path, self.progress.epoch,
                  self.progress.step)

    def _apply_optimiser_settings(self, stored: dict) -> None:
        """
        Give a resumed run this run's lr, decay and weight decay.

        The optimiser's and scheduler's saved states carry the settings the run started with;
        loaded as they are, ``--resume --set lr=...`` would be ignored without a word. The
        schedule's position (steps taken) is kept: the rate is ``lr * lr_decay ** (steps //
        lr_decay_every)`` with the new values.
        """
        c = self.config
        now = c.as_dict()
        changed = {k: (stored.get(k), now[k])
                   for k in ('lr', 'lr_decay', 'lr_decay_every', 'weight_decay', 'betas')
                   if stored.get(k) is not None and list(np.atleast_1d(stored[k]))
                   != list(np.atleast_1d(now[k]))}
        if not changed:
            return
        s = self.scheduler
        s.step_size, s.gamma = c.lr_decay_every, c.lr_decay
        s.base_lrs = [c.lr for _ in s.base_lrs]
        rate = c.lr * c.lr_decay ** (s.last_epoch // c.lr_decay_every)
        for group in self.optimizer.param_groups:
            group.update(initial_lr=c.lr, lr=rate, weight_decay=c.weight_decay,
                         betas=tuple(c.betas))
        s._last_lr = [rate for _ in s.base_lrs]
        _LOG.warning('resumed with other optimiser settings (%s): the learning rate is now %g',
                     ', '.join(f'{k} {a!r} -> {b!r}' for k, (a, b) in changed.items()), rate)

    def _save_best(self, metrics: PoseMetrics) -> None:
        p = self.progress
        better = metrics.ap > p.best_ap or (
            metrics.ap == p.best_ap and metrics.mean_error_px < p.best_error)
        if not better:
            return
        p.best_ap, p.best_error = metrics.ap, metrics.mean_error_px
        save_checkpoint(self.model, self.out / 'best.pth', epoch=p.epoch, accuracy=metrics.ap,
                        extra={'hupr_ros_training': {
                            **self._metadata(),
                            'val_metrics': {'AP': metrics.ap, 'AP50': metrics.ap50,
                                            'AP75': metrics.ap75,
                                            'mean_error_px': metrics.mean_error_px,
                                            'pck': metrics.pck}}})

    def _metadata(self) -> dict:
        """Return what a checkpoint needs to be used again: window, representation, K, origin."""
        c, p = self.config, self.progress
        return {'alignment': c.alignment, 'representation': c.representation,
                'num_doppler': c.num_doppler, 'step': p.step,
                'samples_seen': p.step * c.batch_size * self.world,
                'data_root': c.data_root, 'val_split': c.val_split, 'commit': git_commit()}

    # -- the loop ------------------------------------------------------------------------------
    def validate(self) -> Optional[PoseMetrics]:
        if self.val_set is None:
            return None
        metrics, _ = evaluate_model(self.model, self.val_set, self.config.batch_size,
                                    self.device, per_joint=False)
        p = self.progress
        self._validated_step = p.step
        self._save_best(metrics)
        record = {'step': p.step, 'epoch': p.epoch, 'AP': metrics.ap, 'AP50': metrics.ap50,
                  'AP75': metrics.ap75, 'mean_error_px': metrics.mean_error_px,
                  'pck': metrics.pck, 'arm_gain_px': metrics.arm_gain_px(),
                  'body_offset_px': metrics.body_offset_px,
                  'body_shape_error_px': metrics.body_shape_error_px, 'time': time.time()}
        with open(self.out / 'metrics.jsonl', 'a') as f:
            f.write(json.dumps(record) + '\n')
        self._write_curves()
        if self.writer is not None:
            for key in ('AP', 'AP50', 'mean_error_px', 'pck', 'arm_gain_px', 'body_offset_px',
                        'body_shape_error_px'):
                self.writer.add_scalar(f'val/{key}', record[key], p.step)
        _LOG.info('step %d: val AP %.1f AP50 %.1f, error %.1f px, PCK@0.2 %.1f%%, arms %.1f px '
                  'closer than a guess from the torso, body %.1f px off as a whole and %.1f px '
                  'in its shape', p.step, metrics.ap, metrics.ap50, metrics.mean_error_px,
                  100 * metrics.pck, metrics.arm_gain_px(), metrics.body_offset_px,
                  metrics.body_shape_error_px)
        return metrics

    def _write_curves(self) -> None:
        """curves.png: the validation curves so far (skipped without Pillow)."""
        try:
            from PIL import Image
        except ImportError:
            return
        from hupr_ros.reports import learning_curves
        lines = (self.out / 'metrics.jsonl').read_text().splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        tmp = self.out / 'curves.png.tmp'
        Image.fromarray(learning_curves(records, title=f'run {self.out.name}')).save(
            tmp, format='PNG')
        tmp.replace(self.out / 'curves.png')

    def _write_run_files(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        data = self.config.as_dict()
        data['_commit'] = git_commit()
        (self.out / 'config.yaml').write_text(yaml.safe_dump(data, sort_keys=False))
        try:
            from torch.utils.tensorboard import SummaryWriter
            self.writer = SummaryWriter(str(self.out / 'tb'))
        except ImportError:
            _LOG.warning('tensorboard is not installed: no TensorBoard scalars '
                         '(pip install tensorboard)')

    def _data_from_bags(self, config: TrainConfig, preprocessing) -> TrainConfig:
        """Point the config at the data made from its ``bags`` (made once, by rank 0)."""
        from hupr_ros.data.from_bags import prepare
        if not self.is_main:
            barrier(self.placement)        # rank 0 converts and preprocesses; the others reuse
        root, cache = prepare(config.bags, self.out / 'bag_data', preprocessing,
                              config.cache_kind)
        if self.is_main:
            barrier(self.placement)
        return config.replace(data_root=str(root), cache=str(cache))

    def run(self) -> Progress:
        """Train until the step / epoch / time bound; Ctrl-C or SIGTERM save last.pth first."""
        with interrupt_on_signals():
            return self._run()

    def _run(self) -> Progress:
        c, p = self.config, self.progress
        if self.is_main:
            self._write_run_files()
        batches_per_epoch = len(self.train_set) // self.world // c.batch_size
        if batches_per_epoch == 0:
            raise ValueError(f'{len(self.train_set)} training samples make no batch of '
                             f'{c.batch_size} on {self.world} process(es)')
        total = c.epochs * batches_per_epoch
        if c.max_steps is not None:
            total = min(total, c.max_steps)
        deadline = time.monotonic() + 60 * c.max_minutes if c.max_minutes else math.inf
        from tqdm import tqdm
        bar = tqdm(total=total, initial=min(p.step, total), unit='step', dynamic_ncols=True,
                   disable=not (self.show_progress and self.is_main))
        self._last_log = (time.monotonic(), p.step)
        try:
            while p.step < total and p.epoch < c.epochs:
                if not self.train_one_epoch(total, deadline, bar):
                    break                      # a step or time bound came first
                p.epoch += 1
                p.batch_in_epoch = 0
                if not c.eval_every and self.is_main:
                    self.validate()
                self.save_last()
        except KeyboardInterrupt:
            bar.close()
            self.save_last()
            _LOG.warning('interrupted at step %d: %s saved; continue with --resume', p.step,
                         self.out / 'last.pth')
            raise
        bar.close()
        if self.is_main and self._validated_step != p.step:     # stopped between validations
            self.validate()
        self.save_last()
        if self.writer is not None:
            self.writer.close()
        return p

    def train_one_epoch(self, total: int, deadline: float, bar) -> bool:
        """
        Train the rest of the current epoch.

        Validates and saves on the configured steps; False when the step bound ``total`` or
        the ``deadline`` (monotonic s) stopped it before the epoch's end.
        """
        c, p = self.config, self.progress
        batches = epoch_batches(len(self.train_set), c.batch_size, p.epoch, c.seed,
                                self.rank, self.world)[p.batch_in_epoch:]
        loader = DataLoader(self.train_set, batch_sampler=batches, collate_fn=collate,
                            num_workers=c.workers)
        for batch in loader:
            loss = self._step(batch)
            p.step += 1
            p.batch_in_epoch += 1
            bar.update(1)
            if p.step % c.log_every == 0:
                self._log_step(loss, bar)
            if c.eval_every and p.step % c.eval_every == 0 and self.is_main:
                self.validate()
            if p.step % c.save_every == 0:
                self.save_last()
            if c.keep_every and p.step % c.keep_every == 0:
                self.keep_weights()
            if p.step >= total or time.monotonic() > deadline:
                return False
        return True

    def _log_step(self, loss: float, bar) -> None:
        c, p = self.config, self.progress
        now = time.monotonic()
        rate = (p.step - self._last_log[1]) * c.batch_size * self.world / max(
            now - self._last_log[0], 1e-9)
        self._last_log = (now, p.step)
        bar.set_postfix(loss=f'{loss:.4f}', samples_s=f'{rate:.1f}', epoch=p.epoch)
        if self.writer is not None:
            self.writer.add_scalar('train/loss', loss, p.step)
            self.writer.add_scalar('train/lr', self.scheduler.get_last_lr()[0], p.step)
            self.writer.add_scalar('train/samples_per_s', rate, p.step)

    def _step(self, batch: dict) -> float:
        hori = batch['hori'].to(self.device, non_blocking=True)
        vert = batch['vert'].to(self.device, non_blocking=True)
        target = batch['target'].to(self.device, non_blocking=True)
        with torch.autocast(self.device.type, dtype=self.autocast_dtype,
                            enabled=self.amp or self.cpu_bf16):
            initial, refined = self.net(hori, vert)
        labelled = None
        if self.config.labelled_in_image:
            labelled = torch.from_numpy(inside_image(batch['keypoints'].numpy())).to(self.device)
        loss = heatmap_loss(initial, refined, target, self.with_refined, self.joint_weights,
                            labelled)
        if not torch.isfinite(loss):
            p = self.progress
            weights_ok = all(torch.isfinite(t).all() for t in self.model.state_dict().values()
                             if t.is_floating_point())
            if weights_ok:
                self.save_last()       # weights are still those before this step
            raise TrainingDiverged(
                f'loss is {loss.item()} at step {p.step + 1} (epoch {p.epoch}, sequences '
                f'{sorted(set(batch["sequence"].tolist()))}); stopped. The last good state is '
                f'{self.out / "last.pth"}' + ('' if weights_ok else ' (as last saved)') +
                '. Lower lr or check the data, then continue with --resume.')
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        return float(loss.detach())
