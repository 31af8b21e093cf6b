# shellcheck shell=bash disable=SC2034
# ---------------------------------------------------------------------------------------------
# ASR Mobility Service installer DOUBLE - shared helpers (lab only, never shipped).
# Sourced by install, install_vx, prereq_check_install.sh, uninstall.sh and the payload scripts.
# bash + coreutils only: no grep/sed/awk/procps/curl/python, so it runs on minbase images.
# See tests/lab/double/README.md.
# ---------------------------------------------------------------------------------------------

export LC_ALL=C LANG=C

# ASR_DOUBLE_ROOT re-roots EVERY absolute path the double reads or writes (like a chroot),
# including paths given as options. The lab leaves it unset; unit tests point it at a tmp dir.
R="${ASR_DOUBLE_ROOT:-}"
R="${R%/}"

VX_VERSION_FILE=/usr/local/.vx_version
VX_VERSION_BACKUP_FILE=/etc/vxagent/backup/.vx_version
RUNTIME_FAULTS_FILE=/etc/asr-double/faults
OS_TOKEN_OVERRIDE_FILE=/etc/asr-double/os_token
RUNS_LOG=/var/log/asr-double/runs.log
SYSTEMD_UNIT_FILE=/etc/systemd/system/vxagent.service
SVAGENTS_PID_FILE=/run/asr-double/svagents.pid
CONNECTION_PASSPHRASE=/usr/local/InMage/private/connection.passphrase
DMI_ASSET_TAG=/sys/devices/virtual/dmi/id/chassis_asset_tag
AZURE_ASSET_TAG=7783-7084-3265-9085-8269-3286-77
DEFAULT_INSTALL_ROOT=/usr/local/ASR
# The template drscout.conf's HostId (VX/templates/drscout.conf:20); the configurator replaces it
# (UnifiedAgentConfigurator.sh:776-800).
TEMPLATE_HOST_ID=1234_45466_67689

# p PATH -> the path as the double really touches it (absolute paths get ASR_DOUBLE_ROOT).
p() {
    case "$1" in
        /*) printf '%s%s' "$R" "$1" ;;
        *) printf '%s' "$1" ;;
    esac
}

now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# log_to FILE MESSAGE... : vendor-style timestamped line appended to FILE (re-rooted).
log_to() {
    local f
    f=$(p "$1")
    shift
    [ -n "$f" ] || return 0
    mkdir -p "${f%/*}" 2>/dev/null
    printf '%s : %s\n' "$(date '+%m/%d/%Y %H:%M:%S')" "$*" >>"$f" 2>/dev/null
    return 0
}

# runlog PROGRAM EXIT ARGS... : one machine-readable line per vendor program run.
#   <iso-time> <program> exit=<code> pid=<pid> args=<args as given>
runlog() {
    local prog=$1 code=$2 f
    shift 2
    f=$(p "$RUNS_LOG")
    mkdir -p "${f%/*}" 2>/dev/null
    printf '%s %s exit=%s pid=%s args=%s\n' "$(now_iso)" "$prog" "$code" "$$" "$*" >>"$f" 2>/dev/null
    return 0
}

# ---- KEY=VALUE files (.vx_version) ----------------------------------------------------------

# kv_get FILE KEY : prints the value of the first KEY= line (file path already re-rooted).
kv_get() {
    local f=$1 k=$2 line
    [ -f "$f" ] || return 1
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            "$k="*) printf '%s\n' "${line#*=}"; return 0 ;;
        esac
    done <"$f"
    return 1
}

# kv_set FILE KEY VALUE : replaces KEY in place (or appends it).
kv_set() {
    local f=$1 k=$2 v=$3 line found=0 tmp
    tmp="$f.tmp.$$"
    : >"$tmp" || return 1
    if [ -f "$f" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            case "$line" in
                "$k="*)
                    if [ $found -eq 0 ]; then printf '%s=%s\n' "$k" "$v" >>"$tmp"; fi
                    found=1 ;;
                *) printf '%s\n' "$line" >>"$tmp" ;;
            esac
        done <"$f"
    fi
    [ $found -eq 1 ] || printf '%s=%s\n' "$k" "$v" >>"$tmp"
    mv -f "$tmp" "$f"
}

# kv_del FILE KEY
kv_del() {
    local f=$1 k=$2 line tmp
    [ -f "$f" ] || return 0
    tmp="$f.tmp.$$"
    : >"$tmp" || return 1
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            "$k="*) ;;
            *) printf '%s\n' "$line" >>"$tmp" ;;
        esac
    done <"$f"
    mv -f "$tmp" "$f"
}

# ---- INI files (drscout.conf) ---------------------------------------------------------------

# ini_get FILE SECTION KEY
ini_get() {
    local f=$1 s=$2 k=$3 line cur="" key
    [ -f "$f" ] || return 1
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            "["*"]") cur=${line#[}; cur=${cur%]} ;;
            *=*)
                if [ "$cur" = "$s" ]; then
                    key=${line%%=*}; key=${key%"${key##*[![:space:]]}"}
                    if [ "$key" = "$k" ]; then
                        line=${line#*=}; line=${line#"${line%%[![:space:]]*}"}
                        printf '%s\n' "$line"; return 0
                    fi
                fi ;;
        esac
    done <"$f"
    return 1
}

# ini_set FILE SECTION KEY VALUE : replaces the key in its section, else appends it to the
# section, else appends the section.
ini_set() {
    local f=$1 s=$2 k=$3 v=$4 line cur="" done_=0 insec=0 tmp key
    tmp="$f.tmp.$$"
    : >"$tmp" || return 1
    if [ -f "$f" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            case "$line" in
                "["*"]")
                    if [ $insec -eq 1 ] && [ $done_ -eq 0 ]; then
                        printf '%s=%s\n' "$k" "$v" >>"$tmp"; done_=1
                    fi
                    cur=${line#[}; cur=${cur%]}
                    if [ "$cur" = "$s" ]; then insec=1; else insec=0; fi
                    printf '%s\n' "$line" >>"$tmp" ;;
                *=*)
                    key=${line%%=*}; key=${key%"${key##*[![:space:]]}"}
                    if [ $insec -eq 1 ] && [ "$key" = "$k" ]; then
                        [ $done_ -eq 0 ] && printf '%s=%s\n' "$k" "$v" >>"$tmp"
                        done_=1
                    else
                        printf '%s\n' "$line" >>"$tmp"
                    fi ;;
                *) printf '%s\n' "$line" >>"$tmp" ;;
            esac
        done <"$f"
    fi
    if [ $done_ -eq 0 ]; then
        if [ $insec -eq 0 ]; then printf '[%s]\n' "$s" >>"$tmp"; fi
        printf '%s=%s\n' "$k" "$v" >>"$tmp"
    fi
    mv -f "$tmp" "$f"
}

# ---- fault switches -------------------------------------------------------------------------
# FAULT_FILES (array) is set by each script: the build-time file (package or installed copy)
# plus the run-time file /etc/asr-double/faults. One word per line, '#' comments allowed;
# a word may carry a value: slow=5.

has_fault() {
    local w=$1 f line
    for f in "${FAULT_FILES[@]}"; do
        [ -f "$f" ] || continue
        while IFS= read -r line || [ -n "$line" ]; do
            line=${line%%#*}
            line=${line//[[:space:]]/}
            case "$line" in
                "$w" | "$w="*) return 0 ;;
            esac
        done <"$f"
    done
    return 1
}

# fault_value WORD DEFAULT : the value of WORD=value (run-time file wins), else DEFAULT.
fault_value() {
    local w=$1 def=$2 f line val=""
    for f in "${FAULT_FILES[@]}"; do
        [ -f "$f" ] || continue
        while IFS= read -r line || [ -n "$line" ]; do
            line=${line%%#*}
            line=${line//[[:space:]]/}
            case "$line" in
                "$w="*) val=${line#*=} ;;
            esac
        done <"$f"
    done
    printf '%s\n' "${val:-$def}"
}

# ---- JSON -----------------------------------------------------------------------------------

json_str() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    s=${s//$'\t'/\\t}
    printf '"%s"' "$s"
}

# errors_json FILE NAME MESSAGE [KEY VALUE]... : vendor-shaped InstallerErrors.json (re-rooted).
errors_json() {
    local f name=$2 msg=$3 params="" sep=""
    f=$(p "$1")
    shift 3
    while [ $# -ge 2 ]; do
        params="$params$sep$(json_str "$1"):$(json_str "$2")"
        sep=","
        shift 2
    done
    mkdir -p "${f%/*}" 2>/dev/null
    printf '{"Errors":[{"error_name":%s,"error_params":{%s},"default_message":%s}]}\n' \
        "$(json_str "$name")" "$params" "$(json_str "$msg")" >"$f" 2>/dev/null
    return 0
}

# ---- versions -------------------------------------------------------------------------------

# version_key VERSION BUILD_TAG -> "maj min build" (build = field 5 of "BUILD_TAG=..." split on _)
version_key() {
    local v=$1 tag=$2 maj min build rest
    maj=${v%%.*}; rest=${v#*.}; min=${rest%%.*}
    build=""
    if [ -n "$tag" ]; then
        local IFS=_ line="BUILD_TAG=$tag"
        # shellcheck disable=SC2086
        set -- $line
        build=$5
    fi
    case "$maj$min$build" in
        '' | *[!0-9]*) return 1 ;;
    esac
    printf '%s %s %s\n' "$((10#$maj))" "$((10#$min))" "$((10#$build))"
}

# version_cmp "a b c" "x y z" : prints -1, 0 or 1
version_cmp() {
    local -a a b
    local i
    read -r -a a <<<"$1"
    read -r -a b <<<"$2"
    for i in 0 1 2; do
        if [ "${a[$i]}" -lt "${b[$i]}" ]; then echo -1; return 0; fi
        if [ "${a[$i]}" -gt "${b[$i]}" ]; then echo 1; return 0; fi
    done
    echo 0
}

# ---- service --------------------------------------------------------------------------------

# systemd is used only when it runs (sd_booted), nothing is re-rooted and not disabled by env.
use_systemd() {
    [ -z "$R" ] || return 1
    [ "${ASR_DOUBLE_NO_SYSTEMD:-0}" != 1 ] || return 1
    [ -d /run/systemd/system ] || return 1
    command -v systemctl >/dev/null 2>&1
}

# proc_alive PID : the process exists and is not a zombie.
proc_alive() {
    local line
    [ -r "/proc/$1/status" ] || return 1
    while IFS= read -r line; do
        case "$line" in
            State:*Z*) return 1 ;;
            State:*) return 0 ;;
        esac
    done <"/proc/$1/status" 2>/dev/null
    return 1
}

# svagents_pid : prints the pid of a live svagents started by this double (pid file + comm).
svagents_pid() {
    local pf pid comm
    pf=$(p "$SVAGENTS_PID_FILE")
    [ -f "$pf" ] || return 1
    read -r pid <"$pf" || return 1
    case "$pid" in '' | *[!0-9]*) return 1 ;; esac
    proc_alive "$pid" || return 1
    read -r comm <"/proc/$pid/comm" 2>/dev/null || return 1
    [ "$comm" = svagents ] || return 1
    printf '%s\n' "$pid"
}

# any_svagents_running : pid file first; without a root prefix also any process named svagents
# that runs in this host's root (the vendor's stop looks at its own host; the benchmark's chroot
# hosts share one process table, so another host's svagents is not ours to wait for).
any_svagents_running() {
    local d comm
    svagents_pid >/dev/null && return 0
    [ -z "$R" ] || return 1
    for d in /proc/[0-9]*; do
        [ -r "$d/comm" ] || continue
        read -r comm <"$d/comm" 2>/dev/null || continue
        [ "$comm" = svagents ] || continue
        [ "$d/root" -ef /proc/$$/root ] || continue
        proc_alive "${d#/proc/}" && return 0
    done
    return 1
}

# service_stop BIN_DIR LOGFILE : 0 stopped, 2 could not stop (fault 'stop' or still running).
service_stop() {
    local bin=$1 log=$2 i
    if has_fault stop; then
        log_to "$log" "Could not stop Vx agent service (double fault: stop)."
        return 2
    fi
    if use_systemd; then
        systemctl stop vxagent >>"$(p "$log")" 2>&1
    elif [ -x "$bin/stop" ]; then
        "$bin/stop" >>"$(p "$log")" 2>&1
    fi
    for i in 1 2 3 4 5 6 7 8 9 10; do
        any_svagents_running || return 0
        sleep 0.5
    done
    log_to "$log" "svagents is still running after stop."
    return 2
}

# service_start BIN_DIR LOGFILE : 0 running, 1 not running (systemctl start vxagent, or bin/start).
service_start() {
    local bin=$1 log=$2 rc=0
    if use_systemd; then
        systemctl start vxagent >>"$(p "$log")" 2>&1 || rc=1
        [ $rc -eq 0 ] && ! any_svagents_running && rc=1
    else
        "$bin/start" >>"$(p "$log")" 2>&1 || rc=1
    fi
    return $rc
}

# ---- kernel ---------------------------------------------------------------------------------
# The kernel the double checks: ASR_DOUBLE_KERNEL, else the first line of /etc/asr-double/kernel
# (a lab knob like os_token: a spoofed RHEL host runs the build host's kernel), else uname -r.
KERNEL_OVERRIDE_FILE=/etc/asr-double/kernel
double_kernel() {
    local k=""
    if [ -n "${ASR_DOUBLE_KERNEL:-}" ]; then
        k=$ASR_DOUBLE_KERNEL
    elif [ -f "$(p "$KERNEL_OVERRIDE_FILE")" ]; then
        IFS= read -r k <"$(p "$KERNEL_OVERRIDE_FILE")"
    fi
    [ -n "$k" ] || k=$(uname -r)
    printf '%s\n' "$k"
}

# _kminor KERNEL : awk -F"-" '{print $2}' | awk -F"." '{print $1}' (prereq_check_install.sh:419)
_kminor() {
    local rel=${1#*-}
    [ "$rel" = "$1" ] && { printf '\n'; return; }
    printf '%s\n' "${rel%%.*}"
}

# _rhel8_extra KERNEL N1 N2 : dot fields 4.5 >= N1.N2 (prereq_check_install.sh:380-402)
_rhel8_extra() {
    local IFS=. fields
    # shellcheck disable=SC2206
    fields=($1)
    case "${fields[3]:-}" in '' | *[!0-9]*) return 1 ;; esac
    [ "${fields[3]}" -gt "$2" ] && return 0
    [ "${fields[3]}" -eq "$2" ] || return 1
    case "${fields[4]:-}" in '' | *[!0-9]*) return 1 ;; esac
    [ "${fields[4]}" -ge "$3" ]
}

_rhel8_minor_ok() {
    case "$(_kminor "$1")" in
        305) _rhel8_extra "$1" 30 1 ;;
        348) _rhel8_extra "$1" 5 1 ;;
        *) return 0 ;;
    esac
}

_num_between() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# kernel_supported_for TOKEN KERNEL LISTFILE : the vendor's per-family rule,
# prereq_check_install.sh:405-558 (check_current_kernel_supported). bash regex = the vendor's grep.
kernel_supported_for() {
    local os=$1 k=$2 list=$3 line
    case "$os" in
        RHEL5-64) [[ $k =~ ^2.6.18 ]] && [[ $k =~ .el5$|.el5xen$ ]] ;;                                  # :415-423
        RHEL6-64) [[ $k =~ ^2.6.32 ]] && [[ $k =~ .el6.x86_64$|.el6.centos.plus.x86_64$ ]] &&
            _num_between "$(_kminor "$k")" 71 754 ;;                                                     # :425-433
        RHEL7-64) [[ $k =~ .el7.x86_64$ ]] ;;                                                            # :435-438
        RHEL8-64) [[ $k =~ .el8.* ]] && _rhel8_minor_ok "$k" ;;                                          # :440-464
        OL7-64) [[ $k =~ .el7.x86_64$|.el7uek.x86_64 ]] ;;                                               # :466-469
        OL8-64) [[ $k =~ .el8uek.x86_64 ]] && return 0
            [[ $k =~ .el8.* ]] && _num_between "$(_kminor "$k")" 80 348 && _rhel8_minor_ok "$k" ;;       # :471-503
        SLES11-SP3-64 | SLES11-SP4-64) [[ $k =~ ^3.0 ]] && [[ $k =~ -default$|-xen$ ]] ;;               # :505-508
        OL6-64)
            [[ $k =~ ^2.6.32 ]] && [[ $k =~ .el6.x86_64$ ]] && _num_between "$(_kminor "$k")" 358 754 && return 0
            { [[ $k =~ ^3.8.13 ]] || [[ $k =~ ^4.1.12 ]]; } && [[ $k =~ .el6uek.x86_64 ]] ;;            # :510-528
        UBUNTU* | DEBIAN*)                                                                              # :530-540
            [ -f "$list" ] || return 1
            while read -r line; do [ "$k" = "$line" ] && return 0; done <"$list"
            return 1 ;;
        SLES12-64 | SLES15-64)                                                                          # :542-549
            [[ $k =~ -default$ ]] && return 0
            [ -f "$list" ] || return 1
            while IFS= read -r line || [ -n "$line" ]; do [[ $line =~ ^$k: ]] && return 0; done <"$list"
            return 1 ;;
        *)  # The published script has no case for newer tokens (RHEL9-64, OL9-64, ...: it predates them,
            # so its ret stays 1, :412/:551); their packages ship a newer script. Double's choice: such a
            # token passes when the kernel is a line of supported_kernels (README, Deviations).
            [ -f "$list" ] || return 1
            while read -r line; do [ "$k" = "$line" ] && return 0; done <"$list"
            return 1 ;;
    esac
}
