#!/usr/bin/env bash
# Build the ROS 2 launch system and `ros2` command line (pure Python, not on PyPI) from source
# into a prefix, for a machine that has the ROS 2 runtime from PyPI wheels but no ROS install.
#
#   usage: scripts/build_ros2_tools.sh SRC PREFIX
#
# SRC is a folder or a .tar.gz holding the upstream sources of the packages listed in PACKAGES
# below (any layout: colcon finds the package.xml files; extra packages in the upstream
# repositories are ignored). docs/ros2_without_ros_install.md says how to get them from the
# upstream repositories at the tags this project is tested with.
#
# Run by scripts/setup.sh --ros2-tools SRC (or HUPR_ROS2_TOOLS=SRC), with the project venv active.
# Idempotent: a stamp records the source hash and the interpreter; with nothing changed it
# returns at once, otherwise PREFIX is rebuilt (about a minute on 2 cores).
set -euo pipefail

log() { printf '[ros2-tools] %s\n' "$*"; }
die() { log "error: $*"; exit 1; }

# What bringup.launch.py, its launch_testing test and a user's `ros2 topic|node|param|run` need.
PACKAGES=(launch launch_xml launch_yaml launch_ros launch_testing launch_testing_ros
          ros2cli ros2launch ros2pkg ros2run ros2topic ros2node ros2param ros2service
          rosidl_runtime_py composition_interfaces)

[ $# = 2 ] || die "usage: $0 SRC PREFIX"
SRC=$1
PREFIX=$2
[ -e "$SRC" ] || die "ROS 2 tool sources not found: $SRC"
[ -n "${VIRTUAL_ENV:-}" ] || die "activate the project venv first"
PY="$VIRTUAL_ENV/bin/python"
SRC=$(cd "$(dirname "$SRC")" && pwd)/$(basename "$SRC")
case "$PREFIX" in /*) ;; *) PREFIX="$PWD/$PREFIX" ;; esac

# The tools' own PyPI dependencies.
need=()
for mod_pkg in osrf_pycommon:osrf-pycommon psutil:psutil lark:lark yaml:pyyaml \
               argcomplete:argcomplete packaging:packaging catkin_pkg:catkin-pkg; do
  "$PY" -c "import ${mod_pkg%%:*}" 2>/dev/null || need+=("${mod_pkg##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  log "pip install ${need[*]}"
  "$PY" -m pip install -q "${need[@]}"
fi

if [ -d "$SRC" ]; then
  src_hash=$(cd "$SRC" && find . -name .git -prune -o -type f -print0 | LC_ALL=C sort -z \
             | xargs -0 sha256sum | sha256sum | cut -c1-16)
else
  src_hash=$(sha256sum "$SRC" | cut -c1-16)
fi
stamp="src=$src_hash python=$("$PY" -c 'import sys; print(sys.version.split()[0])') \
packages=${PACKAGES[*]}"
if [ -f "$PREFIX/setup.bash" ] && [ "$(cat "$PREFIX/.hupr_ros2_tools" 2>/dev/null)" = "$stamp" ]
then
  log "up to date: $PREFIX"
  exit 0
fi

# PREFIX is wiped before a rebuild: refuse a folder this script did not make.
if [ -d "$PREFIX" ] && [ -n "$(ls -A "$PREFIX")" ] && [ ! -f "$PREFIX/.hupr_ros2_tools_prefix" ]
then
  die "$PREFIX is not empty and was not made by this script"
fi
work=$(mktemp -d)
trap 'cp "$work/build.log" /tmp/r2build.log 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/src"
if [ -d "$SRC" ]; then cp -a "$SRC"/. "$work/src/"; else tar -xzf "$SRC" -C "$work/src"; fi
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
touch "$PREFIX/.hupr_ros2_tools_prefix"
log "colcon build of ${#PACKAGES[@]} packages -> $PREFIX"
start=$(date +%s)
# Built alone (COLCON_PREFIX_PATH unset), against the venv's ROS wheels.
if ! ( cd "$work" && env -u COLCON_PREFIX_PATH AMENT_PREFIX_PATH="$VIRTUAL_ENV" \
      CMAKE_PREFIX_PATH="$VIRTUAL_ENV" \
      colcon build --merge-install --base-paths src --build-base build --install-base "$PREFIX" \
        --packages-select "${PACKAGES[@]}" \
        --cmake-args -DBUILD_TESTING=OFF -DPython3_EXECUTABLE="$PY" \
        --event-handlers console_cohesion+ summary+ > "$work/build.log" 2>&1 ); then
  grep -vE '^(copying|creating|writing|running|adding|reading) ' "$work/build.log" | tail -40
  die "colcon build failed"
fi
missing=()
for p in "${PACKAGES[@]}"; do
  [ -e "$PREFIX/share/$p/package.xml" ] || missing+=("$p")
done
[ ${#missing[@]} = 0 ] || die "not found in $SRC: ${missing[*]}"
echo "$stamp" > "$PREFIX/.hupr_ros2_tools"
log "built in $(( $(date +%s) - start )) s"
