# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
What every command-line program shares: one-line failures, exit statuses, usable output folders.

Conventions (docs/robustness.md): a bad argument or an unusable path is one line naming it,
exit status 2; Ctrl-C stops within a second with one line, exit status 130, leaving completed
work in place for a re-run to resume and no partial file that looks complete.
"""

import os
import pathlib
import sys
from typing import Optional

INTERRUPTED = 130
USAGE = 2


def output_dir_problem(path: pathlib.Path) -> Optional[str]:
    """
    Create ``path`` (with its parents) and check it can be written.

    None when usable, else the reason, in words.
    """
    path = pathlib.Path(path)
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.is_dir():
            return f'{parent} is a file, not a folder'
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f'.write_test_{os.getpid()}'
        probe.write_bytes(b'')
        probe.unlink()
    except OSError as error:
        return error.strerror or str(error)
    return None


def fail(prog: str, message: str, status: int = USAGE) -> int:
    """Print one line to stderr and return the exit status to use."""
    print(f'{prog}: error: {message}', file=sys.stderr)
    return status
