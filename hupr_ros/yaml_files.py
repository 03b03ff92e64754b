# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""Reading the YAML files users write (mount, camera calibration) with one-line errors."""

import pathlib
from typing import Type

import yaml


def read_yaml(path: pathlib.Path, what: str, error: Type[Exception]):
    """
    Return the parsed YAML of ``path``.

    An unreadable or malformed file raises ``error`` with a message that starts with ``what`` and
    the path.
    """
    try:
        return yaml.safe_load(pathlib.Path(path).read_text())
    except OSError as problem:
        raise error(f'{what} {path}: {problem.strerror or problem}') from None
    except yaml.YAMLError as problem:
        raise error(f'{what} {path} is not valid YAML: {problem}') from None
