#!/usr/bin/env bash
# Set up (tools/setup.sh, idempotent) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash tools/setup.sh --blazepose     # the BlazePose labeller's tests need its venv
# shellcheck disable=SC1091
. .venv/bin/activate
set +u
# shellcheck disable=SC1091
source install/setup.bash
set -u
rc=0
# One pytest worker per core (pytest-xdist); each worker's ROS traffic keeps to a DDS domain of
# its own (test/conftest.py). Pass -n 0 to run in one process.
python -m pytest test -p no:cacheprovider -n auto "$@" || rc=$?
if [ "$rc" = 5 ]; then
  echo "run_tests: pytest collected no tests: the suite is broken" >&2
  exit 1
fi
exit "$rc"
