#!/usr/bin/env bash
# Set up (scripts/setup.sh, idempotent) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh --blazepose     # the BlazePose labeller's tests need its venv
# shellcheck disable=SC1091
. .venv/bin/activate
set +u
# shellcheck disable=SC1091
source install/setup.bash
set -u
rc=0
# One pytest worker per core (pytest-xdist); each worker's ROS traffic keeps to a DDS domain of
# its own and one torch thread (test/conftest.py). Tests go out one at a time, slow ones first
# (conftest.py), so a worker that is free takes the next: no worker is left with a queue of
# long tests while the other idles. Pass -n 0 to run in one process.
python -m pytest test -p no:cacheprovider -n auto --maxschedchunk 1 "$@" || rc=$?
if [ "$rc" = 5 ]; then
  echo "run_tests: pytest collected no tests: the suite is broken" >&2
  exit 1
fi
exit "$rc"
