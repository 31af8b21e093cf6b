#!/usr/bin/env bash
# ---------------------------------------------------------------------------------------------
# ASR installer DOUBLE - <root>/uninstall.sh (reference §1.4; lab only).
#   uninstall.sh -Y [-L <absolute log>]      (default log /var/log/ua_uninstall.log)
# Order, like the vendor's script:
#   bad option / -L not absolute / stray argument -> usage, exit 1
#   no -Y -> asks on stdin; anything but Y/y (or EOF) -> "Bye...", exit 1
#   nothing installed (/usr/local/.vx_version absent) -> 1
#   lock <script dir>/.uninstall.lck exists -> 1
#   services cannot be stopped (fault 'stop', or svagents survives) -> 2
#   inner uninstall <root>/Vx/bin/uninstall runs; its failure (fault 'uninstall_inner') is only
#   logged: the script still removes its own files and exits 0 - verify .vx_version is gone.
# ---------------------------------------------------------------------------------------------
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
if [ -f "$SCRIPT_DIR/Vx/bin/libcommon.sh" ]; then
    # shellcheck source-path=SCRIPTDIR source=libcommon.sh
    . "$SCRIPT_DIR/Vx/bin/libcommon.sh"
elif [ -f "$SCRIPT_DIR/libcommon.sh" ]; then
    # shellcheck source-path=SCRIPTDIR source=libcommon.sh
    . "$SCRIPT_DIR/libcommon.sh"
else
    echo "libcommon.sh not found next to $0" >&2
    exit 1
fi
ORIG_ARGS="$*"
FAULT_FILES=("$SCRIPT_DIR/Vx/etc/asr-double-faults" "$SCRIPT_DIR/.asr_double_faults" "$(p "$RUNTIME_FAULTS_FILE")")
LOCK_FILE="$SCRIPT_DIR/.uninstall.lck"
LOCK_OWNED=0
UNINST_LOG=/var/log/ua_uninstall.log

log() { log_to "$UNINST_LOG" "$@"; }
say() { printf '%s\n' "$*"; log "$@"; }
# shellcheck disable=SC2317,SC2329  # invoked by trap (shellcheck 0.11 reports SC2329 for it)
on_exit() {
    local code=$?
    [ "$LOCK_OWNED" -eq 1 ] && rm -f "$LOCK_FILE"
    log "Uninstaller exiting with code: $code"
    runlog uninstall "$code" "$ORIG_ARGS"
}
trap on_exit EXIT
trap 'exit 1' HUP INT QUIT ABRT TERM

usage() {
    echo
    echo "Usage: $0 [ -Y ] [ -L <Absolute path of the log file (default:/var/log/ua_uninstall.log)> ] [ -h ]"
    echo
    exit 1
}

SILENT_UNINSTALL=""
LOG_FILE=""
case "${1:-}" in
    -*)
        while getopts ":L:hY" OPT; do
            case $OPT in
                L) LOG_FILE=$OPTARG
                   case "$LOG_FILE" in -?*) echo "Option -$OPT requires an argument." && usage ;; esac ;;
                Y) SILENT_UNINSTALL=yes ;;
                *) usage ;;
            esac
        done
        shift $((OPTIND - 1))
        [ $# -eq 0 ] || usage ;;
    "") SILENT_UNINSTALL=no ;;
    *) usage ;;
esac

if [ "$SILENT_UNINSTALL" != yes ]; then
    printf 'Do you really want to uninstall the Unified Agent? (Y/N) [default N] : '
    ans=""
    read -r ans || ans=""
    case "$ans" in
        [Yy]) ;;
        *) echo "Bye..."; exit 1 ;;
    esac
fi

if [ -n "$LOG_FILE" ]; then
    case "$LOG_FILE" in
        /*) UNINST_LOG=$LOG_FILE ;;
        *) echo "Error: Unintallation logfile must be an absolute path (i.e. beginning with a \"/\")."; usage ;;
    esac
fi

log "UA UNINSTALLATION"
log "-----------------------------------"
log "Script initiated with the following command: uninstall.sh $ORIG_ARGS"

VXF=$(p "$VX_VERSION_FILE")
if [ ! -e "$VXF" ]; then
    say "Either FX or VX is not installed in the setup ..."
    say "Cannot proceed with uninstallation ..."
    exit 1
fi

if [ -e "$LOCK_FILE" ]; then
    say "Lock file $LOCK_FILE exists: another uninstall is running or was interrupted."
    exit 1
fi
if ! (set -o noclobber; printf '%s\n' "$$" >"$LOCK_FILE") 2>/dev/null; then
    say "Could not create lock file $LOCK_FILE."
    exit 1
fi
LOCK_OWNED=1

VX_INSTALL_DIR=$(kv_get "$VXF" INSTALLATION_DIR)
[ -n "$VX_INSTALL_DIR" ] || VX_INSTALL_DIR="$DEFAULT_INSTALL_ROOT/Vx"
UA_INSTALL_DIR=${VX_INSTALL_DIR%/*}
say "Stopping VX agent service..."
if ! service_stop "$(p "$VX_INSTALL_DIR")/bin" "$UNINST_LOG"; then
    say "Could not stop Vx agent service. Please re-try after sometime. Aborting..."
    exit 2
fi

say "Uninstalling the VX agent ..."
inner="$(p "$VX_INSTALL_DIR")/bin/uninstall"
if [ -x "$inner" ]; then
    "$inner" -Y -L "$UNINST_LOG"
    rc=$?
else
    rc=127
fi
log "Inner uninstall ($VX_INSTALL_DIR/bin/uninstall) exit code: $rc (not propagated, like the vendor's)"

rm -rf "$(p /usr/local/InMage/certs)" "$(p /usr/local/InMage/fingerprints)" "$(p /usr/local/InMage/private)"
rm -f "$(p /usr/local/.norespawn_vxagent)"
ua=$(p "$UA_INSTALL_DIR")
rm -f "$ua/Third-Party_Notices.txt" "$ua/uninstall.sh"
rm -f "$LOCK_FILE"
LOCK_OWNED=0
rmdir "$ua" 2>/dev/null
log "END OF UA UNINSTALLATION"
exit 0
