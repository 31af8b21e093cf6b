#!/usr/bin/env bash
# ---------------------------------------------------------------------------------------------
# ASR installer DOUBLE - prereq_check_install.sh (lab only).
#   prereq_check_install.sh -r <role> -j <errors json> -v <platform> -l <log>
# Exit 0: all product prerequisites met; 1: one or more not met (errors JSON written);
# 2: internal error (bad arguments). The installer maps 1 -> 99 and anything else non-zero -> 1.
# The double checks only what it can check safely in a container (x86_64); the rest of
# reference §1.6 is simulated by the fault switch 'prereq'.
# ---------------------------------------------------------------------------------------------
THIS_SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=libcommon.sh
. "$THIS_SCRIPT_DIR/libcommon.sh" || exit 2
FAULT_FILES=("$THIS_SCRIPT_DIR/.asr_double_faults" "$(p "$RUNTIME_FAULTS_FILE")")

ROLE="" JSON="" PLATFORM="" LOG=/var/log/ua_install.log
while getopts ":r:j:v:l:" opt; do
    case $opt in
        r) ROLE=$OPTARG ;;
        j) JSON=$OPTARG ;;
        v) PLATFORM=$OPTARG ;;
        l) LOG=$OPTARG ;;
        *) echo "prereq_check_install.sh: bad option" >&2; exit 2 ;;
    esac
done
[ -n "$ROLE" ] && [ -n "$JSON" ] || exit 2

log_to "$LOG" "Prerequisite check: role=$ROLE platform=$PLATFORM"

arch="${ASR_DOUBLE_ARCH:-$(uname -m)}"
if [ "$arch" != x86_64 ]; then
    errors_json "$JSON" ASRMobilityServiceUnsupportedArchitecture \
        "Only x86_64 machines are supported." Architecture "$arch"
    log_to "$LOG" "FAILED: architecture $arch is not supported."
    exit 1
fi

if has_fault prereq; then
    errors_json "$JSON" ASRMobilityServiceFreeSpaceOnRootCheckFailed \
        "At least 2 GB of free space is required on the root partition (double fault: prereq)." \
        RequiredFreeSpace 2097152 Fault prereq
    log_to "$LOG" "FAILED: prerequisite not met (double fault: prereq). See $JSON."
    exit 1
fi

log_to "$LOG" "All product prerequisites are met."
exit 0
