# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""``python -m hupr_ros.nodes NAME [ARGS]``: run a node executable (see launcher)."""

import sys

from hupr_ros.nodes.launcher import main

sys.exit(main())
