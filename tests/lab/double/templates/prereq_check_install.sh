#!/usr/bin/env bash
# ---------------------------------------------------------------------------------------------
# ASR installer DOUBLE - prereq_check_install.sh (lab only).
#   prereq_check_install.sh -r <role> -j <errors json> -v <platform> -l <log> [-o <OS token>]
# Exit 0: all product prerequisites met; 1: one or more not met (errors JSON written);
# 2: internal error (bad arguments). The installer maps 1 -> 99 and anything else non-zero -> 1.
# The double checks what it can check safely in a container (x86_64, the running kernel by the
# vendor's per-family rule); the rest of reference §1.6 is simulated by the fault switch 'prereq'.
# ---------------------------------------------------------------------------------------------
THIS_SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=libcommon.sh
. "$THIS_SCRIPT_DIR/libcommon.sh" || exit 2
FAULT_FILES=("$THIS_SCRIPT_DIR/.asr_double_faults" "$(p "$RUNTIME_FAULTS_FILE")")

ROLE="" JSON="" PLATFORM="" LOG=/var/log/ua_install.log OS=""
while getopts ":r:j:v:l:o:" opt; do
    case $opt in
        r) ROLE=$OPTARG ;;
        j) JSON=$OPTARG ;;
        v) PLATFORM=$OPTARG ;;
        l) LOG=$OPTARG ;;
        o) OS=$OPTARG ;;
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

# Unsupported kernel on a fresh install: 1 here, 99 from install
# (unifiedagent/templates/prereq_check_install.sh:405-558, check_current_kernel_supported).
KERNEL=$(double_kernel)
if has_fault kernel || ! kernel_supported_for "$OS" "$KERNEL" "$THIS_SCRIPT_DIR/supported_kernels"; then
    msg="This version of mobility service doesn't support the operating system kernel version ($KERNEL) running on the source machine. Please refer the list of operating systems supported by Azure Site Recovery : https://aka.ms/asr-os-support"
    errors_json "$JSON" ASRMobilityServiceKernelNotSupported "$msg" KernelVersion "$KERNEL"   # :551-558
    log_to "$LOG" "$msg"
    exit 1
fi

log_to "$LOG" "All product prerequisites are met."
exit 0
