# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
hupr-train / hupr-eval.

Exact resume, Ctrl-C and NaN handling, config validation, and the end-to-end loop (simulate,
preprocess, train, evaluate). DDP on CPU is in test_labeller.py (training from bags).
"""

import json
import os
import pathlib

from hupr_ros.data import HuPRDataset
from hupr_ros.data.layout import DatasetError
from hupr_ros.model import load_official_checkpoint
from hupr_ros.sim.dataset import write_dataset
from hupr_ros.skeleton import JOINT_INDEX
from hupr_ros.tools import ablate, evaluate, preprocess, train
from hupr_ros.training import ConfigError, load_config, TrainConfig, Trainer
from hupr_ros.training import trainer as trainer_module
from hupr_ros.training import TrainingDiverged
from hupr_ros.training.evaluate import evaluate_model
from hupr_ros.training.loss import heatmap_loss
import numpy as np
from PIL import Image
import pytest
import torch
import yaml


@pytest.fixture(scope='session')
def tiny(tmp_path_factory):
    """Six 8-frame HuPR-Sim sequences (sequence 1 is a static pose) and their input cache."""
    root = tmp_path_factory.mktemp('train')
    write_dataset(root / 'data', num_sequences=6, frames=8, seed=5, progress=False)
    assert preprocess.main([str(root / 'data'), str(root / 'cache'), '--output', 'input',
                            '--workers', '1']) == 0
    return root


def small_config(tiny, out, **changes) -> TrainConfig:
    values = {'data_root': str(tiny / 'data'), 'cache': str(tiny / 'cache'), 'out_dir': str(out),
              'variant': 'realtime', 'num_filters': 2, 'batch_size': 2, 'threads': 1,
              'save_every': 1, 'log_every': 1, 'val_max_frames': 4}
    values.update(changes)
    return TrainConfig(**values)


def weights(path):
    return torch.load(path, weights_only=True)['model_state_dict']


@pytest.mark.slow
def test_resume_is_exact(tiny, tmp_path):
    straight = Trainer(small_config(tiny, tmp_path / 'a', max_steps=4), show_progress=False)
    straight.run()
    first = Trainer(small_config(tiny, tmp_path / 'b', max_steps=2), show_progress=False)
    first.run()
    resumed = Trainer(small_config(tiny, tmp_path / 'b', max_steps=4), resume=True,
                      show_progress=False)
    assert resumed.progress.step == 2
    resumed.run()
    a, b = weights(tmp_path / 'a' / 'last.pth'), weights(tmp_path / 'b' / 'last.pth')
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)
    state = torch.load(tmp_path / 'b' / 'last.pth', weights_only=True)
    assert state['training']['step'] == 4 and 'optimizer' in state['training']
    # Checkpoints are in the published format: they load with the published loader.
    model = load_official_checkpoint(tmp_path / 'a' / 'best.pth')
    assert model.config.num_filters == 2 and model.alignment == 'centered'
    assert model.training_metadata['alignment'] == 'centered'
    saved = yaml.safe_load((tmp_path / 'a' / 'config.yaml').read_text())
    assert saved['max_steps'] == 4 and '_commit' in saved
    records = (tmp_path / 'a' / 'metrics.jsonl').read_text().splitlines()
    assert records and np.isfinite(json.loads(records[-1])['arm_gain_px'])
    last = json.loads(records[-1])
    assert last['body_offset_px'] >= 0 and last['body_shape_error_px'] >= 0


def test_resume_takes_the_new_learning_rate(tiny, tmp_path, caplog):
    # Lowering lr for the rest of a run is the usual reason to resume with other settings;
    # the saved optimiser state must not quietly keep the old rate.
    Trainer(small_config(tiny, tmp_path, max_steps=3, lr_decay_every=2, lr_decay=0.5),
            show_progress=False).run()
    resumed = Trainer(small_config(tiny, tmp_path, max_steps=4, lr=1e-5, lr_decay_every=2,
                                   lr_decay=0.5, weight_decay=0.0), resume=True,
                      show_progress=False)
    assert resumed.scheduler.last_epoch == 3
    for group in resumed.optimizer.param_groups:
        assert group['lr'] == pytest.approx(1e-5 * 0.5)
        assert group['weight_decay'] == 0.0
    assert resumed.scheduler.get_last_lr()[0] == pytest.approx(1e-5 * 0.5)
    resumed.run()
    assert resumed.scheduler.get_last_lr()[0] == pytest.approx(1e-5 * 0.25)
    same = Trainer(small_config(tiny, tmp_path / 'same', max_steps=1), show_progress=False)
    same.run()
    caplog.clear()
    again = Trainer(small_config(tiny, tmp_path / 'same', max_steps=2), resume=True,
                    show_progress=False)
    assert again.optimizer.param_groups[0]['lr'] == pytest.approx(1e-4)
    assert 'other optimiser settings' not in caplog.text


def test_resume_refuses_other_settings(tiny, tmp_path):
    Trainer(small_config(tiny, tmp_path, max_steps=1), show_progress=False).run()
    with pytest.raises(ValueError, match='batch_size=2 \\(now 4\\)'):
        Trainer(small_config(tiny, tmp_path, max_steps=2, batch_size=4), resume=True)
    with pytest.raises(FileNotFoundError, match='no .*last.pth'):
        Trainer(small_config(tiny, tmp_path / 'new'), resume=True)


def test_cpu_bf16_autocast_trains_where_the_cpu_has_bf16_and_is_refused_elsewhere(
        tiny, tmp_path, monkeypatch):
    import hupr_ros.inference as inference
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: False)
    with pytest.raises(ValueError, match='cpu_bf16: .*no native bfloat16 kernels'):
        Trainer(small_config(tiny, tmp_path / 'refused', max_steps=1, cpu_bf16=True))
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: True)
    trainer = Trainer(small_config(tiny, tmp_path / 'bf16', max_steps=2, cpu_bf16=True),
                      show_progress=False)
    seen = []
    original = trainer.net.forward

    def spy(hori, vert):
        seen.append(torch.get_autocast_dtype('cpu') if torch.is_autocast_enabled('cpu')
                    else None)
        return original(hori, vert)
    trainer.net.forward = spy
    assert trainer.run().step == 2
    assert seen[:2] == [torch.bfloat16, torch.bfloat16]
    assert all(torch.isfinite(v).all() for v in weights(tmp_path / 'bf16' / 'last.pth').values()
               if v.is_floating_point())


def test_ctrl_c_leaves_a_resumable_checkpoint(tiny, tmp_path, monkeypatch):
    config = small_config(tiny, tmp_path, max_steps=6, save_every=100)
    run = Trainer(config, show_progress=False)
    original = Trainer._step
    calls = []

    def interrupted(self, batch):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, batch)
    monkeypatch.setattr(Trainer, '_step', interrupted)
    with pytest.raises(KeyboardInterrupt):
        run.run()
    monkeypatch.setattr(Trainer, '_step', original)
    state = torch.load(tmp_path / 'last.pth', weights_only=True)['training']
    assert state['step'] == 2 and state['batch_in_epoch'] == 2
    resumed = Trainer(config, resume=True, show_progress=False)
    assert resumed.run().step == 6


def test_keep_every_keeps_the_weights_of_those_steps(tiny, tmp_path):
    from hupr_ros.model.checkpoint import load_official_checkpoint
    Trainer(small_config(tiny, tmp_path, max_steps=5, keep_every=2), show_progress=False).run()
    kept = sorted(p.name for p in tmp_path.glob('step_*.pth'))
    assert kept == ['step_0000002.pth', 'step_0000004.pth']
    step4 = torch.load(tmp_path / 'step_0000004.pth', weights_only=True)
    assert step4['hupr_ros_training']['step'] == 4 and 'training' not in step4
    changed = [k for k, v in weights(tmp_path / 'step_0000002.pth').items()
               if v.is_floating_point() and not torch.equal(v, step4['model_state_dict'][k])]
    assert changed                      # two more steps of training between them
    load_official_checkpoint(tmp_path / 'step_0000004.pth', num_filters=2)   # usable weights
    with pytest.raises(ValueError, match='keep_every'):
        small_config(tiny, tmp_path, keep_every=-1)


def test_nan_loss_stops_with_last_good_checkpoint(tiny, tmp_path, monkeypatch):
    config = small_config(tiny, tmp_path, max_steps=6, save_every=100)
    run = Trainer(config, show_progress=False)
    original = trainer_module.heatmap_loss
    calls = []

    def poisoned(*args, **kwargs):
        calls.append(1)
        loss = original(*args, **kwargs)
        return loss * float('nan') if len(calls) == 3 else loss
    monkeypatch.setattr(trainer_module, 'heatmap_loss', poisoned)
    with pytest.raises(TrainingDiverged, match='loss is nan at step 3'):
        run.run()
    checkpoint = torch.load(tmp_path / 'last.pth', weights_only=True)
    assert checkpoint['training']['step'] == 2
    assert all(torch.isfinite(v).all() for v in checkpoint['model_state_dict'].values()
               if v.is_floating_point())


def test_config_errors_name_the_key(tmp_path):
    path = tmp_path / 'c.yaml'
    path.write_text('variant: realtime\nlearning_rate: 0.1\n')
    with pytest.raises(ConfigError, match=r"unknown keys \['learning_rate'\]"):
        load_config(path)
    path.write_text('variant: fancy\n')
    with pytest.raises(ConfigError, match='variant must be one of'):
        load_config(path)
    path.write_text('batch_size: 4.5\n')
    with pytest.raises(ConfigError, match='batch_size must be an integer'):
        load_config(path)
    path.write_text('data_root: data\nlr: 1e-4\n')
    config = load_config(path, ['out_dir=/tmp/x', 'num_doppler=4'])
    assert config.data_root == str(tmp_path / 'data') and config.lr == 1e-4
    assert config.out_dir == '/tmp/x' and config.num_doppler == 4
    with pytest.raises(ConfigError, match='num_doppler'):
        load_config(path, ['num_doppler=3'])
    # Published defaults.
    default = TrainConfig()
    assert (default.lr, default.betas, default.weight_decay, default.batch_size,
            default.epochs, default.lr_decay, default.lr_decay_every) == \
        (1e-4, (0.9, 0.999), 1e-4, 20, 200, 0.999, 2000)


def test_also_train_adds_a_second_dataset_to_the_training_set(tiny, tmp_path):
    # Training on two sets together: the samples of both, validation on the first only.
    one = Trainer(small_config(tiny, tmp_path / 'one', max_steps=1), show_progress=False)
    train_ids = [1, 2, 3, 4]
    path = tmp_path / 'c.yaml'
    path.write_text(yaml.safe_dump({
        'data_root': str(tiny / 'data'), 'cache': str(tiny / 'cache'), 'variant': 'realtime',
        'num_filters': 2, 'batch_size': 2, 'threads': 1, 'max_steps': 2,
        'out_dir': str(tmp_path / 'both'), 'val_max_frames': 4,
        'also_train': [{'data_root': os.path.relpath(tiny / 'data', tmp_path),
                        'cache': str(tiny / 'cache'), 'sequences': train_ids}]}))
    config = load_config(path)       # relative to the YAML file
    assert config.also_train[0]['data_root'] == str((tiny / 'data').resolve())
    both = Trainer(config, show_progress=False)
    extra = HuPRDataset(tiny / 'data', tiny / 'cache', None, train_ids, alignment='centered')
    assert len(both.train_set) == len(one.train_set) + len(extra)
    assert len(both.val_set) == len(one.val_set)
    assert both.run().step == 2
    # Resuming with other extra data would change the sample order: refused.
    with pytest.raises(ValueError, match='also_train'):
        Trainer(config.replace(also_train=None, max_steps=3), resume=True)
    for bad in ([{'data_root': 'x'}], [{'data_root': 'x', 'cache': 'y', 'split': 'train',
                                        'colour': 1}], {'data_root': 'x', 'cache': 'y'}):
        with pytest.raises(ConfigError, match='also_train must list mappings'):
            config.replace(also_train=bad)


def test_joint_weights_weigh_each_joints_bce():
    # All ones is the published loss; other weights weigh each joint's mean BCE, normalised so
    # that they sum to the number of joints.
    torch.manual_seed(0)
    initial, refined = torch.rand(2, 14, 8, 8) * 0.98 + 0.01, torch.rand(2, 14, 8, 8) * 0.98 + 0.01
    target = torch.rand(2, 14, 8, 8)
    published = heatmap_loss(initial, refined, target)
    assert torch.allclose(heatmap_loss(initial, refined, target, joint_weights=torch.ones(14)),
                          published)
    weights = TrainConfig(joint_weights={'wrist': 3, 'L_Elbow': 2}).joint_weight_vector()
    expected = np.ones(14)
    expected[[JOINT_INDEX['L_Wrist'], JOINT_INDEX['R_Wrist']]] = 3
    expected[JOINT_INDEX['L_Elbow']] = 2
    np.testing.assert_allclose(weights, expected * 14 / expected.sum(), rtol=1e-6)
    bce = [torch.nn.functional.binary_cross_entropy(m[:, j], target[:, j]) for m in
           (initial, refined) for j in range(14)]
    manual = sum(float(b) * weights[j % 14] for j, b in enumerate(bce)) / 14
    assert float(heatmap_loss(initial, refined, target, joint_weights=torch.from_numpy(
        weights))) == pytest.approx(manual, rel=1e-5)
    assert TrainConfig().joint_weight_vector() is None
    with pytest.raises(ConfigError, match="joint_weights: 'thumb' is not a joint name"):
        TrainConfig(joint_weights={'thumb': 2})
    for bad in ({'wrist': 0}, {'wrist': -1}, {'wrist': 'heavy'}, ['wrist']):
        with pytest.raises(ConfigError, match='joint_weights must map'):
            TrainConfig(joint_weights=bad)


def test_joint_weights_train_and_may_change_on_resume(tiny, tmp_path):
    config = small_config(tiny, tmp_path / 'w', max_steps=2, joint_weights={'elbow': 3})
    assert Trainer(config, show_progress=False).run().step == 2
    resumed = Trainer(config.replace(max_steps=3, joint_weights={'wrist': 2}), resume=True,
                      show_progress=False)
    assert resumed.joint_weights[JOINT_INDEX['R_Wrist']] > resumed.joint_weights[0]
    assert resumed.run().step == 3


def test_labelled_joints_only_leave_the_others_out_of_the_loss():
    torch.manual_seed(1)
    initial = (torch.rand(3, 14, 8, 8) * 0.98 + 0.01).requires_grad_()
    refined = torch.rand(3, 14, 8, 8) * 0.98 + 0.01
    target = torch.rand(3, 14, 8, 8)
    published = heatmap_loss(initial, refined, target)
    every = torch.ones(3, 14, dtype=torch.bool)
    assert torch.allclose(heatmap_loss(initial, refined, target, labelled=every), published)
    # Sample 0's right wrist unlabelled: its map has no gradient and the mean is over the rest.
    labelled = every.clone()
    wrist = JOINT_INDEX['R_Wrist']
    labelled[0, wrist] = False
    loss = heatmap_loss(initial, refined, target, labelled=labelled)
    bce = torch.nn.functional.binary_cross_entropy
    manual = sum(float(bce(m[b, j], target[b, j])) for m in (initial.detach(), refined)
                 for b in range(3) for j in range(14) if labelled[b, j]) / 41
    assert loss.item() == pytest.approx(manual, rel=1e-5)
    loss.backward()
    assert initial.grad[0, wrist].abs().sum() == 0 and initial.grad[1, wrist].abs().sum() > 0
    # With joint weights: weighted mean over the labelled joints; none labelled: zero.
    weights = torch.from_numpy(TrainConfig(joint_weights={'wrist': 3}).joint_weight_vector())
    both = heatmap_loss(initial, refined, target, joint_weights=weights, labelled=labelled)
    manual = sum(float(bce(m[b, j], target[b, j])) * float(weights[j]) for m in
                 (initial.detach(), refined) for b in range(3) for j in range(14)
                 if labelled[b, j]) / 41
    assert both.item() == pytest.approx(manual, rel=1e-5)
    assert heatmap_loss(initial, refined, target, labelled=~every).item() == 0.0


def test_labelled_in_image_trains(tiny, tmp_path, monkeypatch):
    """labelled_in_image hands the loss which true joints lie inside the image."""
    seen = []
    original = trainer_module.heatmap_loss

    def spy(*args, **kwargs):
        seen.append(args[5] if len(args) > 5 else kwargs.get('labelled'))
        return original(*args, **kwargs)
    monkeypatch.setattr(trainer_module, 'heatmap_loss', spy)
    config = small_config(tiny, tmp_path / 'm', max_steps=2, labelled_in_image=True)
    assert Trainer(config, show_progress=False).run().step == 2
    assert len(seen) == 2 and all(m is not None and m.shape == (2, 14) and
                                  m.dtype == torch.bool for m in seen)
    seen.clear()
    assert Trainer(small_config(tiny, tmp_path / 'p', max_steps=1),
                   show_progress=False).run().step == 1
    assert seen == [None]


def test_every_shipped_training_config_loads():
    configs = sorted((pathlib.Path(__file__).parents[1] / 'config' / 'training').glob('*.yaml'))
    assert len(configs) >= 3
    for path in configs:
        config = load_config(path)
        assert pathlib.Path(config.data_root).is_absolute() or config.bags, path
        for extra in config.also_train or ():
            assert pathlib.Path(extra['data_root']).is_absolute(), path


def test_cli_reports_bad_data_clearly(tiny, tmp_path, capsys, caplog):
    path = tmp_path / 'c.yaml'
    path.write_text(yaml.safe_dump({'data_root': str(tiny / 'data'),
                                    'cache': str(tmp_path / 'no_cache'), 'variant': 'realtime',
                                    'out_dir': str(tmp_path / 'run')}))
    assert train.main([str(path), '--quiet']) == 2
    assert 'cache is missing or unfinished' in caplog.text


@pytest.mark.slow
def test_end_to_end_training_raises_ap_on_the_training_sequence(tiny, tmp_path, capsys):
    """
    Simulate, preprocess, fine-tune the shipped model briefly on one sequence, evaluate.

    Starting from the shipped HuPR-Sim weights (``init_from``, a fresh optimiser) keeps this to
    5 steps of batch 2: from random weights AP first rose after about 200 steps here
    (docs/results.md has the full training runs). A misaligned target, window or loss would
    lower AP here instead.
    """
    from hupr_ros.model.pretrained import resolve_weights
    config = small_config(tiny, tmp_path / 'run', num_filters=8, batch_size=2,
                          train_sequences=(1,), val_sequences=(1,), train_split='',
                          val_split='', lr=1e-4, max_steps=E2E_STEPS, eval_every=E2E_STEPS,
                          save_every=E2E_STEPS, log_every=10, seed=1,
                          init_from=str(resolve_weights('realtime_centered_sim')))
    run = Trainer(config, show_progress=False)
    sequence = HuPRDataset(tiny / 'data', tiny / 'cache', sequences=[1])
    before, _ = evaluate_model(run.model, sequence, per_joint=False)
    run.run()
    after, _ = evaluate_model(run.model, sequence, per_joint=False)
    assert after.ap > before.ap, (before, after)
    assert after.mean_error_px < before.mean_error_px
    # The run folder's learning curves: one validation here, drawn as a point per series.
    curves = np.asarray(Image.open(tmp_path / 'run' / 'curves.png'))
    assert curves.shape == (520, 720, 3) and (curves != 255).any()
    # hupr-eval on the best checkpoint writes the report files and prints the table.
    out = tmp_path / 'eval'
    assert evaluate.main([str(tmp_path / 'run' / 'best.pth'), str(tiny / 'data'), '--cache',
                          str(tiny / 'cache'), '--split', 'train', '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    assert '| method | AP | AP50 | AP75 | head |' in printed
    report = json.loads((out / 'metrics.json').read_text())
    splits = json.loads((tiny / 'data' / 'splits.json').read_text())
    assert report['frames'] == 8 * len(splits['train'])
    assert set(report['joint_ap']) >= {'L_Wrist', 'Head'}
    for name in ('joint_ap.png', 'contact_sheet.png', 'predictions.npz'):
        assert (out / name).stat().st_size > 1000
    assert np.load(out / 'predictions.npz')['pred'].shape == (report['frames'], 14, 2)
    assert set(report['arm_blind_error_px']) == {'L_Elbow', 'L_Wrist', 'R_Elbow', 'R_Wrist'}
    assert 'a guess from the predicted torso alone' in printed
    assert f'{report["body_offset_px"]:.1f} px off as a whole' in printed
    assert 0 < report['ap_median_arms'] <= 100
    assert f'median arm pose scores AP {report["ap_median_arms"]:.1f}' in printed
    assert f'{report["frames_in_image"]} of the {report["frames"]} frames have every true ' \
        'joint inside the image' in printed
    assert f'could not see: AP {report["ap_in_image"]:.1f}' in printed
    # --max-frames: a few frames spread evenly over the split, the same predictions as the whole
    assert evaluate.main([str(tmp_path / 'run' / 'best.pth'), str(tiny / 'data'), '--cache',
                          str(tiny / 'cache'), '--split', 'train', '--out',
                          str(tmp_path / 'few'), '--max-frames', '5']) == 0
    assert f'5 frames (of {report["frames"]}, spread evenly)' in capsys.readouterr().out
    few = json.loads((tmp_path / 'few' / 'metrics.json').read_text())
    assert few['frames'] == 5 and few['split_frames'] == report['frames']
    picked = np.linspace(0, report['frames'] - 1, 5).round().astype(int)
    np.testing.assert_allclose(np.load(tmp_path / 'few' / 'predictions.npz')['pred'],
                               np.load(out / 'predictions.npz')['pred'][picked])
    # The no-radar baseline: the mean training pose at the image centre, for every frame; two
    # splits in one run write a folder each.
    assert evaluate.main(['baseline', str(tiny / 'data'), '--split', 'test', 'val', '--out',
                          str(tmp_path / 'baseline_{split}')]) == 0
    for split in ('test', 'val'):
        baseline = json.loads((tmp_path / f'baseline_{split}' / 'metrics.json').read_text())
        assert baseline['frames'] == 8 * len(splits[split]) and baseline['mean_error_px'] > 0
        assert baseline['body_offset_px'] > 0      # the mean pose stays at the centre
    assert capsys.readouterr().out.count('px off as a whole') == 2
    with pytest.raises(SystemExit):         # several splits need {split} in --out
        evaluate.main(['baseline', str(tiny / 'data'), '--split', 'test', 'val', '--out',
                       str(tmp_path / 'one_folder')])
    assert '--out must contain {split}' in capsys.readouterr().err


# Batch 2, measured: AP 22.9 -> 67.5 / 58.9 / 64.9 and error 18.3 -> 7.2 / 8.8 / 7.6 px (seeds 1,
# 7, 3); 10 steps: 86.3 / 60.0 / 73.1. Batch 4 for 10 steps reached 88.7 (seed 1) in 3.4x the time.
E2E_STEPS = 5


@pytest.mark.slow
def test_ablation_driver_trains_each_row_and_resumes(tiny, tmp_path, capsys):
    data = tmp_path / 'data'
    data.symlink_to(tiny / 'data')
    out = tmp_path / 'ablations'
    argv = [str(data), str(out), '--steps', '2', '--rows', 'baseline', 'K=4']
    assert ablate.main(argv) == 0
    assert (tmp_path / 'data_cache').is_dir() and (tmp_path / 'data_cache_k4').is_dir()
    results = json.loads((out / 'ablations.json').read_text())
    assert list(results) == ['baseline', 'K=4']
    for row in results.values():
        for split in ('val', 'test'):
            assert 0 <= row[split]['ap'] <= 100 and row[split]['frames'] > 0
    model = load_official_checkpoint(out / 'k4' / 'last.pth')
    assert (model.config.variant, model.config.num_doppler, model.config.num_filters) == \
        ('realtime', 4, 8)
    assert load_official_checkpoint(out / 'baseline' / 'last.pth').config.variant == 'baseline'
    assert model.training_metadata['num_doppler'] == 4       # last.pth says how to use it
    assert model.training_metadata['representation'] == 'vrdaemap'
    assert torch.load(out / 'k4' / 'last.pth', weights_only=True)['training']['step'] == 2
    assert '| K=4 |' in (out / 'ablations.md').read_text()
    # A second invocation finds the rows trained and evaluated: it retrains nothing.
    logs = (out / 'k4.log').read_text()
    assert ablate.main(argv) == 0
    assert (out / 'k4.log').read_text() == logs


@pytest.mark.skipif(__import__('hupr_ros.model.quantize', fromlist=['int8_problem'])
                    .int8_problem() is not None, reason='no x86 int8 engine in this torch')
def test_quantize_cli_then_int8_evaluation(tiny, tmp_path, capsys, caplog):
    """hupr-quantize writes NAME.int8.json beside the weights; hupr-eval then runs int8."""
    from hupr_ros.model import build_model, save_checkpoint
    from hupr_ros.tools import quantize
    torch.manual_seed(0)
    path = tmp_path / 'small.pth'
    save_checkpoint(build_model('realtime', num_filters=2), path)
    data, cache = str(tiny / 'data'), str(tiny / 'cache')
    eval_args = [str(path), data, '--cache', cache, '--split', 'train', '--precision', 'int8',
                 '--out', str(tmp_path / 'eval')]
    assert evaluate.main(eval_args) == 2                 # no calibration yet: refused, one line
    assert 'no int8 calibration' in caplog.text and 'hupr-quantize' in caplog.text
    assert quantize.main([str(path), data, '--cache', str(tmp_path / 'none')]) == 2
    assert not (tmp_path / 'small.int8.json').exists()
    assert quantize.main([str(path), data, '--cache', cache, '--windows', '3']) == 0
    document = json.loads((tmp_path / 'small.int8.json').read_text())
    assert document['weights'] == 'small.pth' and '3 windows' in document['source']
    assert evaluate.main(eval_args) == 0
    assert '| small (centered, int8) |' in capsys.readouterr().out
    report = json.loads((tmp_path / 'eval' / 'metrics.json').read_text())
    assert report['frames'] > 0
    # A model trained on several sets is calibrated on all of them (each ROOT beside ROOT_cache).
    for name in ('one', 'two'):
        (tmp_path / name).symlink_to(tiny / 'data')
        (tmp_path / f'{name}_cache').symlink_to(tiny / 'cache')
    roots = [str(tmp_path / 'one'), str(tmp_path / 'two')]
    assert quantize.main([str(path), *roots, '--windows', '5']) == 0
    document = json.loads((tmp_path / 'small.int8.json').read_text())
    assert f'{roots[0]} + {roots[1]} train split, 5 windows' in document['source']
    with pytest.raises(SystemExit):                # --cache names one root's cache only
        quantize.main([str(path), *roots, '--cache', cache])


def test_learning_curves_draw_each_series():
    from hupr_ros.reports import learning_curves
    records = [{'step': s, 'AP': s / 100, 'AP50': s / 20, 'mean_error_px': 60 - s / 10,
                'pck': s / 1000} for s in range(0, 501, 50)]
    image = learning_curves(records, 'run')
    blank = learning_curves([], 'run')
    assert image.shape == blank.shape == (520, 720, 3) and image.dtype == np.uint8
    for colour in ((70, 110, 200), (235, 140, 40), (200, 50, 50), (40, 160, 70)):
        drawn = (image == colour).all(axis=-1).sum()
        assert drawn > 200, colour        # a line, not just its legend
    # A record without a key (an older metrics.jsonl) leaves that point out, nothing fails.
    partial = learning_curves(records[:3] + [{'step': 600, 'AP': 9.0}], 'run')
    assert not np.array_equal(partial, blank)


def test_arm_probe_cli_scores_new_bodies_against_the_median_pose(tiny, tmp_path, capsys):
    from hupr_ros.tools import arm_probe
    data, cache = str(tiny / 'data'), str(tiny / 'cache')
    out = tmp_path / 'probe'
    assert arm_probe.main(['--train', data, cache, '--select', data, cache, 'val',
                           '--report', data, cache, 'test', '--epochs', '1', '--out',
                           str(out)]) == 0
    rows = json.loads((out / 'rows.json').read_text())
    assert [r['method'].split()[0] for r in rows] == ['median'] * 3 + ['ridge'] * 3 + ['cnn'] * 3
    assert {r['set'] for r in rows} == {'training frames (32)', 'data val', 'data test'}
    assert all(np.isfinite(r['arm_error_px']) and r['arm_error_px'] > 0 for r in rows)
    assert '| ridge lambda' in (out / 'table.md').read_text()
    assert arm_probe.main(['--train', data, str(tmp_path / 'none'), '--select', data, cache,
                           'val']) == 2
    assert 'cache is missing or unfinished' in capsys.readouterr().err
    # Crops where another cache of the same sequences has its strongest echo: here the same one.
    own = arm_probe.load_set([(data, cache, 'val')], frames=2)
    guided = arm_probe.load_set([(data, cache, 'val')], frames=2, centre_cache=cache)
    assert own.crops.shape[1] == 2 * 2 * 8 * 2 and np.array_equal(own.crops, guided.crops)
    with pytest.raises(DatasetError, match='cache is missing'):
        arm_probe.load_set([(data, cache, 'val')], centre_cache=str(tmp_path / 'none'))
    # Other representations, from the captures: the same numbers where they overlap the cache.
    number = json.loads((tiny / 'data' / 'splits.json').read_text())['val'][0]
    stored = np.load(tiny / 'cache' / f'single_{number}' / 'hori' / 'input.npy')
    kept = arm_probe.captured_input(data, number, 'hori', 'elevation')
    assert kept.shape == stored.shape[:1] + (8 * 8,) + stored.shape[2:]
    assert np.allclose(kept.reshape(-1, 8, 8, *stored.shape[2:]).mean(axis=2), stored,
                       atol=1e-4)
    wide = arm_probe.captured_input(data, number, 'hori', 'doppler16')
    assert wide.shape[1] == 16 and np.allclose(wide[:, 4:12], stored, atol=1e-5)
    assert arm_probe.load_set([(data, cache, 'val')], representation='elevation'
                              ).crops.shape[1] == 2 * 64 * 2
    with pytest.raises(ValueError, match='representation must be one of'):
        arm_probe.load_set([(data, cache, 'val')], representation='cube')
