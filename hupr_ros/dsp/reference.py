# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
A plain, step-by-step transcription of the published VRDAEMap (docs/published_model.md §2).

This is the oracle that tests compare the fast implementation (:mod:`hupr_ros.dsp.vrdae`)
against, and the baseline of ``bench/bench_vrdae.py``. It computes in complex128 with full-size
FFTs, like the released code, but without its per-bin Python loops. Do not use it at run time.
"""

import numpy as np

# Published constants (see hupr_ros.dsp.config for their documentation).
_NUM_TX, _NUM_RX, _NUM_LOOPS = 3, 4, 64
_AZIMUTH_FFT, _ELEVATION_FFT = 64, 8
_RANGE_BINS_DESCENDING = np.arange(94, 30, -1)
_ELEVATION_ROW_POSITIONS = slice(2, 6)
_DOPPLER_KEEP = slice(24, 40)


def vrdae_map_reference(frame: np.ndarray) -> np.ndarray:
    """
    Return the VRDAEMap of one frame exactly as the published steps compute it.

    :param frame: complex (chirps=192, rx=4, samples=256).
    :return: complex128 (doppler=16, range=64, azimuth=64, elevation=8).
    """
    frame = np.asarray(frame, dtype=np.complex128)
    by_rx = frame.transpose(1, 0, 2)                       # (rx, chirp, sample)
    tx = [by_rx[:, k::_NUM_TX, :] for k in range(_NUM_TX)]  # each (rx, loop, sample)
    azimuth_row = np.concatenate([tx[0], tx[2]], axis=0)    # 1. (8, loop, sample)
    elevation_row = tx[1]                                  # 1. (4, loop, sample)
    rows = []
    for row in (azimuth_row, elevation_row):
        row = row - row.mean(axis=1, keepdims=True)        # 2. static clutter removal
        rows.append(np.fft.fft2(row, axes=(1, 2)))         # 3. (ant, doppler, range)
    n_dop, n_rng = rows[0].shape[1:]
    cube = np.zeros((_ELEVATION_FFT, _AZIMUTH_FFT, n_dop, n_rng), dtype=np.complex128)
    cube[0, 0:8] = rows[0]                                 # 4-5. azimuth row at 0..7
    cube[1, _ELEVATION_ROW_POSITIONS] = rows[1]            # 4-5. elevation row at 2..5
    cube[:, _ELEVATION_ROW_POSITIONS] = np.fft.fft(        # 6. elevation FFT at 2..5 only
        cube[:, _ELEVATION_ROW_POSITIONS], axis=0)
    cube = np.fft.fft(cube, axis=1)                        # 7. azimuth FFT
    cube = cube[:, :, :, _RANGE_BINS_DESCENDING]           # 8. range crop, descending
    cube = np.fft.fftshift(cube, axes=2)[:, :, _DOPPLER_KEEP]  # 9. (ele, az, dop16, rng)
    out = np.empty((cube.shape[2], cube.shape[3], _AZIMUTH_FFT, _ELEVATION_FFT),
                   dtype=np.complex128)
    for d in range(cube.shape[2]):                         # 10. per Doppler bin
        m = cube[:, :, d, :].transpose(1, 0, 2)            # (az, ele, range)
        m = np.fft.fftshift(m, axes=(0, 1))
        m = m.transpose(2, 0, 1)                           # (range, az, ele)
        out[d] = m[:, ::-1, ::-1]
    return out


def model_input_reference(vrdae: np.ndarray, num_doppler: int = 8) -> np.ndarray:
    """
    Return the published normalisation of one VRDAEMap (docs/published_model.md section 3).

    :param vrdae: complex (doppler=16, range=64, azimuth=64, elevation=8).
    :return: float32 (doppler=num_doppler, 2 re/im, range, azimuth, elevation).
    """
    centre = vrdae.shape[0] // 2
    kept = vrdae[centre - num_doppler // 2:centre + num_doppler // 2]
    out = np.empty((num_doppler, 2) + vrdae.shape[1:], dtype=np.float32)
    for k in range(num_doppler):
        for part, values in enumerate((kept[k].real, kept[k].imag)):
            for e in range(vrdae.shape[3]):
                v = values[:, :, e].astype(np.float64)
                v = v - v.min()
                v = v / v.max()
                v = (v - v.mean()) / v.std(ddof=1)
                out[k, part, :, :, e] = v
    return out
