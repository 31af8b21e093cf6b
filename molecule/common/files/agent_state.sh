#!/bin/sh
# Print the Mobility Service agent's footprint on a lab host as KEY=VALUE lines (parsed by the
# asr_scn_state filter, molecule/common/filter_plugins/scenario.py). Read-only; POSIX sh and
# coreutils/findutils only (no python, procps optional), so it runs on every lab image.
#   vx_exists, vx_sha, vx_<KEY> (every KEY= line of /usr/local/.vx_version), drscout_sha, host_id,
#   unit_file, active, enabled, asr_dir, backup, svagents, runs_sha, runs_<program> (run counts
#   from the installer double's /var/log/asr-double/runs.log), runs_last, installers (files in
#   the role's installer directory), footprint (paths, sizes, modes and content hashes of
#   everything the agent owns: no times) and footprint_t (the same plus mtimes).
VX=/usr/local/.vx_version
DRSCOUT=/usr/local/ASR/Vx/etc/drscout.conf
RUNS=/var/log/asr-double/runs.log
UNIT=/etc/systemd/system/vxagent.service
OWNED="/usr/local/.vx_version /usr/local/ASR /etc/vxagent /usr/local/InMage $UNIT /etc/systemd/system/multi-user.target.wants/vxagent.service"

yes_no() { if "$@"; then echo yes; else echo no; fi; }
sha() { if [ -f "$1" ]; then sha256sum "$1" | cut -c1-64; fi; }

echo "vx_exists=$(yes_no test -f $VX)"
echo "vx_sha=$(sha $VX)"
if [ -f $VX ]; then
    sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=\(.*\)$/vx_\1=\2/p' $VX
fi
echo "drscout_sha=$(sha $DRSCOUT)"
if [ -f $DRSCOUT ]; then
    echo "host_id=$(sed -n 's/^HostId=//p' $DRSCOUT | head -n 1)"
    echo "cs_hostname=$(sed -n 's/^Hostname=//p' $DRSCOUT | head -n 1)"
    echo "cs_type=$(sed -n 's/^CSType=//p' $DRSCOUT | head -n 1)"
fi
echo "unit_file=$(yes_no test -e $UNIT)"
echo "active=$(systemctl is-active vxagent 2>/dev/null || true)"
echo "enabled=$(systemctl is-enabled vxagent 2>/dev/null || true)"
echo "asr_dir=$(yes_no test -d /usr/local/ASR)"
echo "backup=$(yes_no test -f /etc/vxagent/backup/.vx_version)"
# svagents renames its process; /proc/*/comm works without procps.
found=no
for c in /proc/[0-9]*/comm; do
    if [ "$(cat "$c" 2>/dev/null)" = svagents ]; then found=yes; break; fi
done
echo "svagents=$found"
echo "runs_sha=$(sha $RUNS)"
for prog in install configurator uninstall; do
    n=0
    if [ -f "$RUNS" ]; then n=$(grep -c "^[^ ]* $prog exit=" "$RUNS" || true); fi
    echo "runs_$prog=$n"
done
echo "runs_last=$(tail -n 1 $RUNS 2>/dev/null)"
echo "installers=$(find /var/lib/asr-mobility -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)"
# shellcheck disable=SC2086
listing() {
    find $OWNED -xdev \( -type f -printf "%p %s %m $1" -exec sha256sum {} \; \) -o \
        \( ! -type f -printf "%p %y %m $1\n" \) 2>/dev/null | sort
}
echo "footprint=$(listing '' | sha256sum | cut -c1-64)"
echo "footprint_t=$(listing '%T@ ' | sha256sum | cut -c1-64)"
# shellcheck disable=SC2086  # OWNED is a list of paths
echo "footprint_paths=$(find $OWNED -xdev 2>/dev/null | sort | tr '\n' ' ')"
