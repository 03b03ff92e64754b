# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Files that ship with the packages (configs, message definitions, the Fast DDS profile).

One lookup for all of them: the source tree's file (a checkout, a symlink install), else the
installed one under the package's ament share folder.
"""

import pathlib
from typing import Optional

#: The repository root in a checkout (this file is hupr_ros/shipped.py).
SOURCE_ROOT = pathlib.Path(__file__).resolve().parents[1]


def shipped_file(package: str, *parts: str) -> Optional[pathlib.Path]:
    """
    Return ``share/PACKAGE/PARTS`` of ``package`` (hupr_ros or hupr_msgs), or None.

    The source tree's copy first, else the installed share folder's; None when neither exists.
    """
    here = SOURCE_ROOT.joinpath(*parts) if package == 'hupr_ros' else \
        SOURCE_ROOT.joinpath(package, *parts)
    if here.exists():
        return here
    try:
        from ament_index_python.packages import get_package_share_directory
        installed = pathlib.Path(get_package_share_directory(package)).joinpath(*parts)
    except (ImportError, LookupError, ValueError):
        return None
    return installed if installed.exists() else None
