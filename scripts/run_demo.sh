#!/usr/bin/env bash
# The main job: set up (idempotent), then run the node graph on the simulator and write results
# a person can look at under out/demo/ (the shipped model's skeletons against the simulator's
# ground truth, rates, latency and live accuracy). Arguments go to hupr-demo (--help).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate
set +u
# shellcheck disable=SC1091
source install/setup.bash
set -u
exec python -m hupr_ros.tools.demo "$@"
