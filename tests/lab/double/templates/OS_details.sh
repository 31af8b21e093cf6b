#!/usr/bin/env bash
# ---------------------------------------------------------------------------------------------
# ASR installer DOUBLE - OS_details.sh: prints the installer OS token of this host
# (reference §4 detection rules). Lab only. bash + coreutils only.
#
#   override : env ASR_DOUBLE_OS_TOKEN, else first line of /etc/asr-double/os_token
#              (e.g. to map Debian 13 to DEBIAN12-64); "-" or "none" prints nothing.
#   x86_64 only (ASR_DOUBLE_ARCH overrides `uname -m`, for tests).
#   order    : /etc/oracle-release, /etc/redhat-release, /etc/SuSE-release (VERSION/PATCHLEVEL),
#              /etc/os-release SLES 15, /etc/lsb-release Ubuntu DISTRIB_RELEASE,
#              /etc/debian_version major.
# Prints nothing (exit 0) when the host maps to no token; the installer then exits 149.
# The vendor's script prints only when given an argument; this one always prints.
# ---------------------------------------------------------------------------------------------
export LC_ALL=C
R="${ASR_DOUBLE_ROOT:-}"
R="${R%/}"

first_line() { local l=""; [ -f "$1" ] && IFS= read -r l <"$1"; printf '%s' "$l"; }

# value of KEY in a KEY=VALUE / KEY = VALUE file, quotes stripped
file_value() {
    local f=$1 k=$2 line key val
    [ -f "$f" ] || return 1
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in *=*) ;; *) continue ;; esac
        key=${line%%=*}; key=${key//[[:space:]]/}
        [ "$key" = "$k" ] || continue
        val=${line#*=}; val=${val#"${val%%[![:space:]]*}"}; val=${val%"${val##*[![:space:]]}"}
        val=${val#\"}; val=${val%\"}; val=${val#\'}; val=${val%\'}
        printf '%s' "$val"
        return 0
    done <"$f"
    return 1
}

# major version: first run of digits after the word "release"
release_major() {
    local text=$1 rest
    case "$text" in *" release "*) rest=${text#*" release "} ;; *) return 1 ;; esac
    rest=${rest%%[!0-9]*}
    [ -n "$rest" ] || return 1
    printf '%s' "$rest"
}

detect() {
    local text major patch ver id
    if [ -f "$R/etc/oracle-release" ]; then
        text=$(first_line "$R/etc/oracle-release")
        major=$(release_major "$text") || return 0
        case "$major" in
            6) printf 'OL6-64' ;;
            7 | 8 | 9) printf 'OL%s-64' "$major" ;;
        esac
        return 0
    fi
    if [ -f "$R/etc/redhat-release" ]; then
        text=$(first_line "$R/etc/redhat-release")
        case "$text" in
            "Red Hat Enterprise Linux"* | CentOS* | Rocky* | AlmaLinux*) ;;
            *) return 0 ;;
        esac
        major=$(release_major "$text") || return 0
        case "$major" in 5 | 6 | 7 | 8 | 9) printf 'RHEL%s-64' "$major" ;; esac
        return 0
    fi
    if [ -f "$R/etc/SuSE-release" ]; then
        ver=$(file_value "$R/etc/SuSE-release" VERSION)
        patch=$(file_value "$R/etc/SuSE-release" PATCHLEVEL)
        case "$ver" in
            11) case "$patch" in 3 | 4) printf 'SLES11-SP%s-64' "$patch" ;; esac; return 0 ;;
            12) printf 'SLES12-64'; return 0 ;;
        esac
    fi
    if [ -f "$R/etc/os-release" ]; then
        id=$(file_value "$R/etc/os-release" ID)
        ver=$(file_value "$R/etc/os-release" VERSION_ID)
        case "$id" in
            sles | sled | sles_sap)
                case "$ver" in 15*) printf 'SLES15-64' ;; 12*) printf 'SLES12-64' ;; esac
                return 0 ;;
        esac
    fi
    if [ -f "$R/etc/lsb-release" ] && [ "$(file_value "$R/etc/lsb-release" DISTRIB_ID)" = Ubuntu ]; then
        ver=$(file_value "$R/etc/lsb-release" DISTRIB_RELEASE)
        case "$ver" in [0-9][0-9].[0-9][0-9]) printf 'UBUNTU-%s-64' "$ver" ;; esac
        return 0
    fi
    if [ -f "$R/etc/debian_version" ]; then
        text=$(first_line "$R/etc/debian_version")
        major=${text%%[!0-9]*}
        if [ -n "$major" ] && [ "$major" -ge 7 ]; then printf 'DEBIAN%s-64' "$major"; fi
        return 0
    fi
    return 0
}

main() {
    local token="${ASR_DOUBLE_OS_TOKEN:-}" arch
    if [ -z "$token" ] && [ -f "$R/etc/asr-double/os_token" ]; then
        token=$(first_line "$R/etc/asr-double/os_token")
        token=${token//[[:space:]]/}
    fi
    if [ -n "$token" ]; then
        case "$token" in -|none) ;; *) printf '%s\n' "$token" ;; esac
        return 0
    fi
    arch="${ASR_DOUBLE_ARCH:-$(uname -m)}"
    [ "$arch" = x86_64 ] || return 0
    token=$(detect)
    [ -n "$token" ] && printf '%s\n' "$token"
    return 0
}

main "$@"
