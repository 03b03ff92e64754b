# hupr_msgs: the Fast DDS large-data profile for every process started from a shell that has
# sourced this workspace (ros2 bag record / play, ros2 topic echo, the nodes), so that raw radar
# frames (768 KiB) and cube pairs (8 MiB) cross between processes. A transport set-up of the
# user's own wins: nothing is set when FASTDDS_DEFAULT_PROFILES_FILE (or the older
# FASTRTPS_DEFAULT_PROFILES_FILE) or FASTDDS_BUILTIN_TRANSPORTS is already set.
# colcon's setup files name the package's prefix COLCON_CURRENT_PREFIX, ament's own
# AMENT_CURRENT_PREFIX.
_hupr_profile="${COLCON_CURRENT_PREFIX:-${AMENT_CURRENT_PREFIX:-}}/share/hupr_msgs/config/fastdds_large_data.xml"
if [ -z "${FASTDDS_DEFAULT_PROFILES_FILE:-}" ] && [ -z "${FASTRTPS_DEFAULT_PROFILES_FILE:-}" ] \
    && [ -z "${FASTDDS_BUILTIN_TRANSPORTS:-}" ] && [ -f "$_hupr_profile" ]; then
  export FASTDDS_DEFAULT_PROFILES_FILE="$_hupr_profile"
fi
unset _hupr_profile
