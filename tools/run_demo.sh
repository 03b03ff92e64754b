#!/usr/bin/env bash
# The main job: set up (idempotent), then run the node graph on the simulator and write results
# a person can look at under out/demo/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash tools/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate
set +u
# shellcheck disable=SC1091
source install/setup.bash
set -u
if python -c 'import hupr_ros.tools.demo' 2>/dev/null; then
  exec python -m hupr_ros.tools.demo "$@"
fi
echo "run_demo: the simulator demo (hupr_ros.tools.demo) is not built yet; see the open issues."
echo "run_demo: built so far: $(python -c 'import hupr_ros, pkgutil; print(", ".join(m.name for m in pkgutil.walk_packages(hupr_ros.__path__, "hupr_ros.")))')"
