# Copyright 2026 The hupr_ros Authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

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
