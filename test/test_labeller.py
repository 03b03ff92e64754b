# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
The labellers (ROS-free).

HRNet-W32 against the official checkpoint format, its crop and decoding, the joint mappings,
BlazePose, split recordings, offline labelling and the bag data source of hupr-train / hupr-eval.
"""

import hashlib
import json
import os
import pathlib

from conftest import REPO
from hupr_ros.labeller import hrnet
from hupr_ros.labeller.joints import to_hupr
from hupr_ros.skeleton import JOINT_INDEX
import numpy as np
import pytest
import torch
import yaml

#: sha256 of json.dumps([[key, shape, dtype], ...]) over the state dict, in order, of the
#: official HRNet-W32 256x256 MPII checkpoint (pose_hrnet_w32_256x256.pth: 1754 tensors).
OFFICIAL_MPII_DIGEST = 'cb301daca578c0c932aee4a7846145770a2e4d85b835a4d6558ac46f39fcd7e8'
BLAZEPOSE_PYTHON = REPO / '.venv-blazepose' / 'bin' / 'python'


def _key_digest(model: torch.nn.Module) -> str:
    listing = [[k, list(v.shape), str(v.dtype)] for k, v in model.state_dict().items()]
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


@pytest.fixture(scope='session')
def mpii_checkpoint(tmp_path_factory):
    """
    Make an official-format MPII checkpoint with random weights.

    Return an official-format MPII checkpoint (a plain state dict) with random weights and
    non-trivial BatchNorm statistics.
    """
    torch.manual_seed(0)
    model = hrnet.PoseHighResolutionNet(16)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    path = tmp_path_factory.mktemp('hrnet') / 'pose_hrnet_w32_256x256.pth'
    torch.save(model.state_dict(), path)
    return path, model.eval()


def test_hrnet_w32_has_the_official_parameter_names_shapes_and_order():
    model = hrnet.PoseHighResolutionNet(16)
    assert len(model.state_dict()) == 1754
    assert _key_digest(model) == OFFICIAL_MPII_DIGEST
    coco = hrnet.PoseHighResolutionNet(17).state_dict()
    assert coco['final_layer.weight'].shape == (17, 32, 1, 1)


def test_checkpoint_loads_strictly_in_eval_mode_and_gives_the_same_heat_maps(
        mpii_checkpoint):
    path, reference = mpii_checkpoint
    model = hrnet.load_hrnet_checkpoint(path)
    assert not model.training and hrnet.joint_set(model) == 'mpii'
    x = torch.randn(2, 3, 256, 256)
    with torch.no_grad():
        out = model(x)
        assert out.shape == (2, 16, 64, 64)
        assert torch.equal(out, reference(x))
    wrapped = path.with_name('wrapped.pth')     # training checkpoints and DataParallel names
    torch.save({'state_dict': {'module.' + k: v for k, v in torch.load(path).items()}},
               wrapped)
    with torch.no_grad():
        assert torch.equal(hrnet.load_hrnet_checkpoint(wrapped)(x), out)


def test_coco_checkpoint_at_256x192(tmp_path):
    path = tmp_path / 'coco.pth'
    torch.save(hrnet.PoseHighResolutionNet(17).state_dict(), path)
    model = hrnet.load_hrnet_checkpoint(path)
    assert hrnet.joint_set(model) == 'coco'
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 256, 192)).shape == (1, 17, 64, 48)


@pytest.mark.parametrize('damage, needle', [
    ('missing_file', 'no such file'),
    ('drop_key', 'missing: stage4.2.fuse_layers.0.3.1.running_var'),
    ('extra_key', 'unexpected: extra.weight'),
    ('wrong_shape', 'wrong shape: conv1.weight'),
    ('no_head', 'no final_layer with 16 (MPII) or 17 (COCO) joints'),
    ('pickle', 'cannot read'),
    ('not_tensors', 'not a state dict of tensors'),
])
def test_bad_checkpoints_are_refused_with_the_reason(mpii_checkpoint, tmp_path, damage, needle):
    path, _ = mpii_checkpoint
    state = torch.load(path)
    bad = tmp_path / 'bad.pth'
    if damage == 'drop_key':
        del state['stage4.2.fuse_layers.0.3.1.running_var']
    elif damage == 'extra_key':
        state['extra.weight'] = torch.zeros(1)
    elif damage == 'wrong_shape':
        state['conv1.weight'] = torch.zeros(64, 3, 5, 5)
    elif damage == 'no_head':
        state['final_layer.weight'] = torch.zeros(5, 32, 1, 1)
    elif damage == 'not_tensors':
        state = {'epoch': 3}
    if damage == 'pickle':             # arbitrary objects: refused by weights_only
        torch.save({'model': torch.nn.Linear(2, 2)}, bad)
    elif damage != 'missing_file':
        torch.save(state, bad)
    with pytest.raises(hrnet.CheckpointError, match='HRNet weights') as error:
        hrnet.load_hrnet_checkpoint(bad)
    assert needle in str(error.value)


def test_decoding_returns_image_pixels_through_the_inverse_crop():
    """
    Decoded peaks land on their image points.

    Gaussian peaks placed at known image points (through the crop's forward transform)
    decode back to those points within the quarter-pixel step (in image pixels).
    """
    box = (40.0, 20.0, 140.0, 230.0)
    centre, scale = hrnet.box_transform(box, (256, 256))
    assert scale[0] == scale[1]                              # widened to the input's aspect
    assert np.isclose(scale[1] * hrnet.PIXEL_STD, 210 * hrnet.BOX_PADDING)
    points = np.array([[60.3, 50.9], [100.0, 120.2], [130.7, 200.1]])
    forward = hrnet.affine(centre, scale, (64, 64))
    in_heatmap = points @ forward[:, :2].T + forward[:, 2]
    yy, xx = np.mgrid[0:64, 0:64]
    maps = np.stack([np.exp(-((xx - u) ** 2 + (yy - v) ** 2) / 2.0) for u, v in in_heatmap])
    decoded, scores = hrnet.decode(maps.astype(np.float32), centre, scale)
    pixel = 1 / forward[0, 0]                                # image pixels per heat-map pixel
    assert np.abs(decoded - points).max() <= 0.25 * pixel + 1e-3
    assert (scores > 0.5).all()
    # the crop itself: the box centre lands on the input centre
    image = np.zeros((240, 180, 3), np.uint8)
    image[120:130, 85:95] = 255                              # a square at the box centre
    crop = hrnet.crop(image, centre, scale, (256, 256))
    bright = np.argwhere(crop[0] > 0)
    assert np.allclose(bright.mean(axis=0), (128, 128), atol=1.5)


def test_flip_back_undoes_the_mirror_and_swaps_sides():
    maps = torch.rand(1, 16, 8, 8)
    pairs = hrnet.FLIP_PAIRS['mpii']
    mirrored = maps.flip(-1)
    for a, b in pairs:
        mirrored[:, [a, b]] = mirrored[:, [b, a]]
    back = hrnet.flip_back(mirrored, pairs)
    assert torch.equal(back[..., 1:], maps[..., :-1])        # one-pixel shift (official)


def test_hrnet_labeller_end_to_end(mpii_checkpoint):
    from hupr_ros.labeller.backends import HRNetBackend
    labeller = HRNetBackend(str(mpii_checkpoint[0]), flip_test=True)
    image = np.random.default_rng(0).integers(0, 255, (256, 256, 3), dtype=np.uint8)
    joints, scores = labeller(image)
    assert joints.shape == (14, 2) and scores.shape == (14,)
    assert np.isfinite(joints).all() and (joints >= -1).all() and (joints <= 257).all()
    assert labeller.model_name == 'hrnet_w32_mpii'


def test_joint_mappings_derive_neck_and_head():
    from hupr_ros.labeller.joints import COCO_NAMES, MPII_NAMES
    mpii = np.arange(32, dtype=np.float32).reshape(16, 2)
    scores = np.linspace(0.1, 1.0, 16).astype(np.float32)
    joints, conf = to_hupr(mpii, scores, 'mpii')
    assert np.array_equal(joints[JOINT_INDEX['R_Ankle']], mpii[MPII_NAMES.index('r_ankle')])
    assert np.array_equal(joints[JOINT_INDEX['Neck']], mpii[MPII_NAMES.index('thorax')])
    head = (mpii[MPII_NAMES.index('upper_neck')] + mpii[MPII_NAMES.index('head_top')]) / 2
    assert np.array_equal(joints[JOINT_INDEX['Head']], head)
    assert conf[JOINT_INDEX['Head']] == scores[MPII_NAMES.index('upper_neck')]
    coco = np.arange(34, dtype=np.float32).reshape(17, 2)
    joints, _ = to_hupr(coco, np.ones(17, np.float32), 'coco')
    neck = (coco[COCO_NAMES.index('l_shoulder')] + coco[COCO_NAMES.index('r_shoulder')]) / 2
    assert np.array_equal(joints[JOINT_INDEX['Neck']], neck)
    assert np.array_equal(joints[JOINT_INDEX['L_Wrist']], coco[COCO_NAMES.index('l_wrist')])
    with pytest.raises(ValueError, match='expected'):
        to_hupr(coco, np.ones(17), 'mpii')


def test_labellers_refuse_what_cannot_run_here(tmp_path):
    from hupr_ros.labeller.backends import BlazePoseLabeller, LabellerError, make_labeller
    with pytest.raises(LabellerError, match='needs weights'):
        make_labeller('hrnet')
    if not torch.cuda.is_available():
        with pytest.raises(LabellerError, match='no CUDA GPU'):
            make_labeller('hrnet', weights=str(tmp_path / 'w.pth'), device='cuda')
    with pytest.raises(LabellerError, match='no such file'):
        make_labeller('hrnet', weights=str(tmp_path / 'w.pth'))
    with pytest.raises(LabellerError, match='no such file'):
        BlazePoseLabeller(str(tmp_path / 'python'))
    with pytest.raises(LabellerError, match='did not start'):
        BlazePoseLabeller('/bin/false')


requires_blazepose = pytest.mark.skipif(
    not BLAZEPOSE_PYTHON.is_file() and not os.environ.get('CI'),
    reason='no .venv-blazepose (scripts/setup.sh --blazepose)')


@requires_blazepose
def test_blazepose_finds_the_simulated_person():
    from hupr_ros.labeller.backends import BlazePoseLabeller
    from hupr_ros.sim.dataset import simulated_frames
    labeller = BlazePoseLabeller(str(BLAZEPOSE_PYTHON))
    try:
        errors, frames = [], 0
        for image, keypoints, _ in simulated_frames(2, 5):
            frames += 1
            result = labeller(image)
            if result is not None:      # BlazePose misses ~1 % of the renders
                errors.append(np.linalg.norm(result[0] - keypoints, axis=1))
        assert len(errors) >= frames - 2, (len(errors), frames)
        assert labeller(np.zeros((64, 64, 3), np.uint8)) is None
    finally:
        labeller.close()
    errors = np.array(errors)
    # head and neck are where the flat-shaded renders are unambiguous (docs/labelling.md)
    assert np.median(errors[:, [JOINT_INDEX['Head'], JOINT_INDEX['Neck']]]) < 8, errors


def test_split_recording_is_one_bag(tmp_path):
    from hupr_ros.bags import typestore
    from hupr_ros.bags.recording import bag_summary, RecordingWriter
    from rosbags.rosbag2 import Reader
    store = typestore()
    string = store.types['std_msgs/msg/String']
    writer = RecordingWriter(tmp_path / 'rec', split_bytes=1000).open()
    writer.add_topic('/a', 'std_msgs/msg/String')
    for i in range(30):
        cdr = store.serialize_cdr(string(data=f'{i:03d}' * 30), 'std_msgs/msg/String')
        writer.write('/a', 10 ** 9 + i, cdr)
    assert len(writer.files) >= 3
    writer.flush()
    assert bag_summary(tmp_path / 'rec') == {'/a': 30}       # readable while written
    writer.close()
    listed = yaml.safe_load((tmp_path / 'rec' / 'metadata.yaml').read_text())
    assert listed['rosbag2_bagfile_information']['relative_file_paths'] == writer.files
    assert sorted(p.name for p in (tmp_path / 'rec').glob('*.db3')) == writer.files
    with Reader(tmp_path / 'rec') as reader:
        got = [store.deserialize_cdr(raw, c.msgtype).data[:3] for c, _, raw in reader.messages()]
    assert got == [f'{i:03d}' for i in range(30)]
    with pytest.raises(ValueError, match='not split'):
        RecordingWriter(tmp_path / 'm', storage='mcap', split_s=5.0)
    mcap = RecordingWriter(tmp_path / 'mcap', storage='mcap').open()     # readable once closed
    mcap.add_topic('/a', 'std_msgs/msg/String')
    mcap.write('/a', 5, store.serialize_cdr(string(data='x'), 'std_msgs/msg/String'))
    mcap.close()
    assert bag_summary(tmp_path / 'mcap') == {'/a': 1}
    assert list((tmp_path / 'mcap').glob('*.mcap'))


def _sim_bag(path: pathlib.Path, frames: int = 12, labels: bool = True, seed: int = 0):
    """Write a recording as hupr-record makes it from the simulator, without ROS."""
    from hupr_ros.bags import BagWriter
    from hupr_ros.radar.config import HUPR_CHIRP_CONFIG
    from hupr_ros.sim.body import make_subjects, random_motion
    from hupr_ros.sim.scene import SimConfig, Simulator
    motion = random_motion(np.random.default_rng(seed), 'wave_one')
    sim = Simulator(make_subjects(seed)[seed], motion, SimConfig())
    with BagWriter(path, storage='sqlite3') as bag:
        for k in range(frames):
            f = sim.frame(k)
            stamp = 10 ** 9 + k * 100_000_000
            bag.write_radar_frame('horizontal', f.hori, HUPR_CHIRP_CONFIG, stamp_ns=stamp,
                                  frame_number=k)
            bag.write_radar_frame('vertical', f.vert, HUPR_CHIRP_CONFIG, stamp_ns=stamp,
                                  frame_number=k)
            bag.write_image(f.image, stamp_ns=stamp)
            if labels:
                bag.write_skeleton('sim/ground_truth', f.keypoints, None, stamp_ns=stamp,
                                   source='simulator_ground_truth')


def test_offline_labelling_of_a_recording(tmp_path, mpii_checkpoint):
    from hupr_ros.bags import read_messages
    from hupr_ros.tools import label
    _sim_bag(tmp_path / 'rec', frames=3)
    assert label.main(['bag', str(tmp_path / 'rec'), str(tmp_path / 'gt'),
                       '--backend', 'ground_truth']) == 0
    assert label.main(['bag', str(tmp_path / 'rec'), str(tmp_path / 'hr'), '--backend',
                       'hrnet', '--weights', str(mpii_checkpoint[0]),
                       '--jpeg-quality', '80']) == 0
    hr = [(t, m) for t, _, m in read_messages(tmp_path / 'hr')]
    labels = [m for t, m in hr if t.endswith('labels/skeleton')]
    images = [m for t, m in hr if t.endswith('camera/image_raw/compressed')]
    assert len(labels) == len(images) == 3
    assert [m.header.stamp for m in labels] == [m.header.stamp for m in images]
    assert labels[0].source == 'hrnet_labeller' and images[0].format == 'jpeg'
    gt = [m for t, _, m in read_messages(tmp_path / 'gt') if t.endswith('labels/skeleton')]
    assert len(gt) == 3 and gt[0].source == 'simulator_ground_truth'


def test_bag_data_refuses_bags_without_labels_or_of_another_definition(tmp_path):
    from hupr_ros.data.dataset import DatasetError
    from hupr_ros.data.from_bags import prepare
    _sim_bag(tmp_path / 'bags' / 'nolabels', frames=2, labels=False)
    with pytest.raises(DatasetError, match='needs both radars.*labels'):
        prepare({'train': [str(tmp_path / 'bags')]}, tmp_path / 'work')
    # a recording made with another RadarFrame definition (one more field)
    from hupr_ros.bags import msg_dir, MSG_NAMES
    from rosbags.rosbag2 import StoragePlugin, Writer
    from rosbags.typesys import get_types_from_msg, get_typestore, Stores
    other = get_typestore(Stores.ROS2_KILTED)
    for name in MSG_NAMES:
        text = (msg_dir() / f'{name}.msg').read_text()
        text += '\nuint8 added_later\n' if name == 'RadarFrame' else ''
        other.register(get_types_from_msg(text, f'hupr_msgs/msg/{name}'))
    with Writer(tmp_path / 'other', version=9, storage_plugin=StoragePlugin.SQLITE3) as w:
        w.add_connection('/radar/hori/raw', 'hupr_msgs/msg/RadarFrame', typestore=other)
    with pytest.raises(DatasetError, match='another definition of hupr_msgs/msg/RadarFrame'):
        prepare({'train': [str(tmp_path / 'other')]}, tmp_path / 'work')
    with pytest.raises(DatasetError, match='appear twice'):
        prepare({'train': [str(tmp_path / 'other')], 'val': [str(tmp_path / 'other')]},
                tmp_path / 'work')


def test_training_config_takes_bags_relative_to_the_yaml(tmp_path, monkeypatch):
    from hupr_ros.training.config import ConfigError, load_config
    (tmp_path / 'cfg').mkdir()
    path = tmp_path / 'cfg' / 'train.yaml'
    path.write_text('bags:\n  train: [../bags/a, ../bags]\n  val: [/abs/c]\n')
    config = load_config(path)
    assert config.bags == {'train': [str(tmp_path / 'bags' / 'a'), str(tmp_path / 'bags')],
                           'val': ['/abs/c']}
    monkeypatch.chdir(tmp_path)
    config = load_config(path, ['bags={test: [x]}'])
    assert config.bags == {'test': [str(tmp_path / 'x')]}
    with pytest.raises(ConfigError, match='bags must map'):
        load_config(path, ['bags={training: [x]}'])


@pytest.mark.slow
def test_ddp_on_cpu_trains_from_bags_prepared_once(tmp_path):
    """
    DDP on CPU: two processes (gloo) train from bags.

    Rank 0 converts the bags, the other waits and reuses them; the checkpoint has the
    published format (no ``module.`` prefix) and loads with the published loader.
    """
    import subprocess
    import sys
    for name in ('walk_a', 'walk_b'):
        _sim_bag(tmp_path / 'bags' / name, frames=10, seed=1)
    config = {'bags': {'train': ['bags/walk_a'], 'val': ['bags/walk_b']}, 'out_dir': 'run',
              'variant': 'realtime', 'num_filters': 2, 'batch_size': 2, 'threads': 1,
              'max_steps': 2, 'save_every': 1, 'log_every': 1, 'val_max_frames': 2}
    (tmp_path / 'train.yaml').write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2',
         '-m', 'hupr_ros.tools.train', str(tmp_path / 'train.yaml'), '--quiet'],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    checkpoint = torch.load(tmp_path / 'run' / 'last.pth', weights_only=True)
    assert checkpoint['training']['step'] == 2
    assert not any(k.startswith('module.') for k in checkpoint['model_state_dict'])
    from hupr_ros.model import load_official_checkpoint
    assert load_official_checkpoint(tmp_path / 'run' / 'last.pth').config.num_filters == 2
    made = [p.name for p in (tmp_path / 'run' / 'bag_data').iterdir()]
    assert len(made) == 2 and not any(n.endswith('.partial') for n in made), made


def _official_hrnet_forward(state, x):
    """
    Transcribe the official pose HRNet forward pass, driven by the checkpoint's key names.

    Written from the published architecture, not from our module: a stem of two strided 3x3
    convolutions, four Bottlenecks, then for each stage a transition (a 3x3 convolution where
    the width changes, a strided one for a new branch from the lowest resolution), modules of
    four BasicBlocks per branch, and a fusion into each output of every branch: 1x1 + BN +
    nearest upsampling from lower resolutions, strided 3x3 + BN (ReLU between) from higher
    ones, summed, then ReLU. The head is a 1x1 convolution of the highest resolution branch.
    """
    import torch.nn.functional as F

    def has(key):
        return key in state

    def conv(t, name, stride=1):
        w = state[name + '.weight']
        return F.conv2d(t, w, state.get(name + '.bias'), stride, w.shape[-1] // 2)

    def bn(t, name):
        return F.batch_norm(t, state[name + '.running_mean'], state[name + '.running_var'],
                            state[name + '.weight'], state[name + '.bias'], False, 0.0, 1e-5)

    def residual(t, name):
        if not has(name + '.downsample.0.weight'):
            return t
        return bn(conv(t, name + '.downsample.0'), name + '.downsample.1')

    def basic(t, name):
        out = F.relu(bn(conv(t, name + '.conv1'), name + '.bn1'))
        return F.relu(bn(conv(out, name + '.conv2'), name + '.bn2') + residual(t, name))

    def bottleneck(t, name):
        out = F.relu(bn(conv(t, name + '.conv1'), name + '.bn1'))
        out = F.relu(bn(conv(out, name + '.conv2'), name + '.bn2'))
        return F.relu(bn(conv(out, name + '.conv3'), name + '.bn3') + residual(t, name))

    x = F.relu(bn(conv(x, 'conv1', 2), 'bn1'))
    x = F.relu(bn(conv(x, 'conv2', 2), 'bn2'))
    for i in range(4):
        x = bottleneck(x, f'layer1.{i}')
    ys = [x]
    stage = 2
    while has(f'stage{stage}.0.branches.0.0.conv1.weight'):
        t = f'transition{stage - 1}'
        branches = sum(has(f'stage{stage}.0.branches.{b}.0.conv1.weight') for b in range(8))
        xs = []
        for b in range(branches):
            if has(f'{t}.{b}.0.weight'):                      # width change, same resolution
                xs.append(F.relu(bn(conv(ys[b], f'{t}.{b}.0'), f'{t}.{b}.1')))
            elif has(f'{t}.{b}.0.0.weight'):                  # new branch from the lowest
                xs.append(F.relu(bn(conv(ys[-1], f'{t}.{b}.0.0', 2), f'{t}.{b}.0.1')))
            else:
                xs.append(ys[b])
        module = 0
        while has(f'stage{stage}.{module}.branches.0.0.conv1.weight'):
            m = f'stage{stage}.{module}'
            for b in range(branches):
                for block in range(4):
                    xs[b] = basic(xs[b], f'{m}.branches.{b}.{block}')
            outputs = sum(has(f'{m}.fuse_layers.{i}.{(i + 1) % branches}.0.weight') or
                          has(f'{m}.fuse_layers.{i}.{(i + 1) % branches}.0.0.weight')
                          for i in range(branches))
            fused = []
            for i in range(outputs):
                total = 0
                for j in range(branches):
                    f = f'{m}.fuse_layers.{i}.{j}'
                    if j == i:
                        total = total + xs[j]
                    elif j > i:
                        up = bn(conv(xs[j], f + '.0'), f + '.1')
                        total = total + F.interpolate(up, scale_factor=2 ** (j - i),
                                                      mode='nearest')
                    else:
                        down = xs[j]
                        for k in range(i - j):
                            down = bn(conv(down, f'{f}.{k}.0', 2), f'{f}.{k}.1')
                            if k < i - j - 1:
                                down = F.relu(down)
                        total = total + down
                fused.append(F.relu(total))
            xs = fused
            module += 1
        ys = xs
        stage += 1
    return conv(ys[0], 'final_layer')


def test_hrnet_forward_equals_a_transcription_of_the_official_graph(mpii_checkpoint):
    path, _ = mpii_checkpoint
    state = torch.load(path, weights_only=True)
    model = hrnet.load_hrnet_checkpoint(path)
    x = torch.randn(1, 3, 256, 192)
    with torch.no_grad():
        ours = model(x)
        reference = _official_hrnet_forward(state, x)
    assert reference.shape == (1, 16, 64, 48)
    torch.testing.assert_close(ours, reference, rtol=1e-4, atol=1e-5)
