#!/usr/bin/env bash
# ---------------------------------------------------------------------------------------------
# ASR installer DOUBLE - <root>/Vx/bin/UnifiedAgentConfigurator.sh (reference §1.3; lab only).
#   classic     : -i <CS address> -P <passphrase file> -c CSLegacy -q [-p <port, default 443>]
#   modernized  : -S <config.json> -c CSPrime -q [-D true|false]
#   unconfigure : -U true -c CSPrime        (with CSLegacy -U is a no-op exiting 0, like the vendor's)
#   common      : [-l <log, default /var/log/ua_install.log>] [-f <errors json>]
# Order:
#   unknown option (e.g. lower-case -s), missing argument, stray argument, -c not
#   CSLegacy|CSPrime, no -q / missing -i,-P (vendor: interactive; double refuses) ...... 96
#   agent not installed ...................................................................... 1
#   classic: passphrase file missing ......................................................... 1
#            already registered (status Succeeded) to a different CS address or port ... 13
#            CS unreachable / passphrase rejected after ASR_DOUBLE_CS_RETRIES attempts ..... 14
#   modernized: config file missing or invalid, HostId of another machine, bad -D ....... 97
#   CSPrime runs normalise every code other than 0/97/98 to 97 (option errors excepted).
# The passphrase is never written to a log, stdout or the run log; it crosses the wire only as
# sha256("<HostId>:<passphrase>").
# ---------------------------------------------------------------------------------------------
BIN_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../../libcommon.sh
. "$BIN_DIR/libcommon.sh" || exit 1
ORIG_ARGS="$*"
FAULT_FILES=("$BIN_DIR/../etc/asr-double-faults" "$(p "$RUNTIME_FAULTS_FILE")")
LOGFILE=/var/log/ua_install.log
ERRORS_JSON=/var/log/InstallerErrors.json
CS_RETRIES=${ASR_DOUBLE_CS_RETRIES:-1}
CS_RETRY_SLEEP=${ASR_DOUBLE_CS_RETRY_SLEEP:-30}
CS_TIMEOUT=${ASR_DOUBLE_CS_TIMEOUT:-10}

log() { log_to "$LOGFILE" "$@"; }
say() { printf '%s\n' "$*"; log "$@"; }
# shellcheck disable=SC2317,SC2329  # invoked by trap (shellcheck 0.11 reports SC2329 for it)
on_exit() {
    local code=$?
    runlog configurator "$code" "$ORIG_ARGS"
}
trap on_exit EXIT

finish() {
    local code=$1
    if [ "$CS_TYPE" = CSPrime ] && [ "$code" != 0 ] && [ "$code" != 97 ] && [ "$code" != 98 ]; then
        log "Configurator failing with unknown error $code: normalised to 97 for CSPrime."
        code=97
    fi
    log "Configurator exiting with code: $code"
    exit "$code"
}

usage_fail() {
    say "$1"
    say "Usage: UnifiedAgentConfigurator.sh -i <CS address> -P <passphrase file> [-p <port>] -c CSLegacy -q | -S <config.json> -c CSPrime -q [-D true|false] | -U true -c CSPrime"
    if has_fault usage_exit0; then
        log "Emulating the published vendor source: usage() ends with 'exit 0' (double fault: usage_exit0)."
        exit 0
    fi
    exit 96
}

set_status() {
    local vxf bak
    vxf=$(p "$VX_VERSION_FILE")
    bak=$(p "$VX_VERSION_BACKUP_FILE")
    kv_set "$vxf" AGENT_CONFIGURATION_STATUS "$1"
    [ -f "$bak" ] && kv_set "$bak" AGENT_CONFIGURATION_STATUS "$1"
    log "AGENT_CONFIGURATION_STATUS=$1"
}

clear_status() {
    kv_del "$(p "$VX_VERSION_FILE")" AGENT_CONFIGURATION_STATUS
    kv_del "$(p "$VX_VERSION_BACKUP_FILE")" AGENT_CONFIGURATION_STATUS
}

# cs_post HOST PORT BODY -> prints the HTTP status code (000 when unreachable)
cs_post() {
    local host=$1 port=$2 body=$3 req line code
    req=$(printf 'POST /register HTTP/1.0\r\nHost: %s:%s\r\nUser-Agent: asr-double-configurator\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
        "$host" "$port" "${#body}" "$body")
    # shellcheck disable=SC2016  # expanded by the inner bash
    line=$(printf '%s' "$req" | timeout "$CS_TIMEOUT" bash -c '
        exec 3<>"/dev/tcp/$1/$2" && cat >&3 && IFS= read -r status <&3 && printf "%s\n" "$status"' \
        _ "$host" "$port" 2>/dev/null)
    code=${line#* }
    code=${code%% *}
    case "$code" in [0-9][0-9][0-9]) ;; *) code=000 ;; esac
    printf '%s\n' "$code"
}

# ---- options ----------------------------------------------------------------------------------
CS_IP="" PASSFILE="" CS_PORT="" SOURCE_CONFIG="" DISCOVERY="" UNCONFIGURE="" CS_TYPE="" SILENT=false
OPT_ERROR=""
while getopts ":i:P:p:S:D:U:c:l:f:qh" opt; do
    case $opt in
        i) CS_IP=$OPTARG ;;
        P) PASSFILE=$OPTARG ;;
        p) CS_PORT=$OPTARG ;;
        S) SOURCE_CONFIG=$OPTARG ;;
        D) DISCOVERY=$OPTARG ;;
        U) UNCONFIGURE=$OPTARG ;;
        c) CS_TYPE=$OPTARG
           case "$CS_TYPE" in CSLegacy | CSPrime) ;; *) [ -n "$OPT_ERROR" ] || OPT_ERROR="Incorrect CSType $CS_TYPE: CSLegacy or CSPrime." ;; esac ;;
        l) LOGFILE=$OPTARG ;;
        f) ERRORS_JSON=$OPTARG ;;
        q) SILENT=true ;;
        :) [ -n "$OPT_ERROR" ] || OPT_ERROR="Option -$OPTARG requires an argument." ;;
        *) [ -n "$OPT_ERROR" ] || OPT_ERROR="Unknown option -$OPTARG." ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || [ -n "$OPT_ERROR" ] || OPT_ERROR="Unexpected argument: $1"
[ -z "$ORIG_ARGS" ] && OPT_ERROR="Interactive configuration is not supported by the double: pass options."
log ""
log "AGENT CONFIGURATION"
log "Script initiated with the following command: UnifiedAgentConfigurator.sh $ORIG_ARGS"
if [ -n "$OPT_ERROR" ]; then
    case "$CS_TYPE" in CSLegacy | CSPrime) ;; *) CS_TYPE="" ;; esac
    usage_fail "$OPT_ERROR"
fi
[ -n "$CS_TYPE" ] || CS_TYPE=CSLegacy

# ---- installed? ---------------------------------------------------------------------------------
VXF=$(p "$VX_VERSION_FILE")
INST_DIR=$(kv_get "$VXF" INSTALLATION_DIR)
if [ ! -f "$VXF" ] || [ -z "$INST_DIR" ]; then
    say "Vx agent is not installed."
    finish 1
fi
DRSCOUT="$(p "$INST_DIR")/etc/drscout.conf"

# ---- unconfigure ------------------------------------------------------------------------------
if [ -n "$UNCONFIGURE" ]; then
    if [ "$CS_TYPE" = CSPrime ] && [ "${UNCONFIGURE,,}" = true ]; then
        rm -f "$(p "$INST_DIR")/etc/SourceConfig.json"
        ini_set "$DRSCOUT" vxagent.transport Hostname ""
        clear_status
        say "Agent unconfigured from the replication appliance."
    else
        log "Unconfigure requested with CSType $CS_TYPE / value $UNCONFIGURE: nothing to do."
    fi
    finish 0
fi

if [ "$CS_TYPE" = CSLegacy ]; then
    # ---------------- classic ----------------
    if [ "$SILENT" != true ] || [ -z "$CS_IP" ] || [ -z "$PASSFILE" ]; then
        usage_fail "Interactive configuration is not supported by the double: pass -i, -P and -q."
    fi
    PF=$(p "$PASSFILE")
    if [ ! -f "$PF" ]; then
        say "Passphrase file passed to the installer does not exist."
        finish 1
    fi
    [ -n "$CS_PORT" ] || CS_PORT=443
    cur_host=$(ini_get "$DRSCOUT" vxagent.transport Hostname)
    cur_port=$(ini_get "$DRSCOUT" vxagent.transport Port)
    status=$(kv_get "$VXF" AGENT_CONFIGURATION_STATUS)
    if [ "$status" = Succeeded ] && [ -n "$cur_host" ] &&
        { [ "$cur_host" != "$CS_IP" ] || [ "${cur_port:-443}" != "$CS_PORT" ]; }; then
        say "Agent is already registerd to different Configuration server ($cur_host:${cur_port:-443})."
        finish 13
    fi
    clear_status

    priv=$(p /usr/local/InMage/private)
    mkdir -p "$priv" && chmod 0700 "$priv"
    dest=$(p "$CONNECTION_PASSPHRASE")
    (umask 077 && cp -f "$PF" "$dest") && chmod 0600 "$dest"
    ini_set "$DRSCOUT" vxagent.transport Hostname "$CS_IP"
    ini_set "$DRSCOUT" vxagent.transport Port "$CS_PORT"

    pass=""
    IFS= read -r pass <"$PF" || true
    pass=${pass%$'\r'}
    host_id=$(ini_get "$DRSCOUT" vxagent HostId)
    auth=$(printf '%s:%s' "$host_id" "$pass" | sha256sum)
    auth=${auth%% *}
    pass=""
    version="$(kv_get "$VXF" VERSION) build $(version_key "$(kv_get "$VXF" VERSION)" "$(kv_get "$VXF" BUILD_TAG)" | { read -r _ _ b; printf '%s' "$b"; })"
    body=$(printf '{"HostId":%s,"HostName":%s,"CSType":"CSLegacy","AgentVersion":%s,"OsToken":%s,"Auth":%s}' \
        "$(json_str "$host_id")" "$(json_str "$(uname -n)")" "$(json_str "$version")" \
        "$(json_str "$(kv_get "$VXF" OS_BUILT_FOR)")" "$(json_str "$auth")")

    code=000
    attempt=1
    while :; do
        log "Registering with configuration server $CS_IP:$CS_PORT (attempt $attempt of $CS_RETRIES)."
        code=$(cs_post "$CS_IP" "$CS_PORT" "$body")
        log "Configuration server answered HTTP $code."
        [ "$code" = 200 ] && break
        [ "$attempt" -ge "$CS_RETRIES" ] && break
        attempt=$((attempt + 1))
        sleep "$CS_RETRY_SLEEP"
    done
    if [ "$code" = 200 ]; then
        set_status Succeeded
        say "Agent configuration is completed successfully."
        finish 0
    fi
    set_status Failed
    if [ "$code" = 000 ]; then
        say "Configuration server $CS_IP:$CS_PORT is not reachable."
    else
        say "Configuration server $CS_IP:$CS_PORT rejected the registration (HTTP $code): check the passphrase."
    fi
    finish 14
fi

# ---------------- modernized (CSPrime) ----------------
cfg_fail() {
    say "$1"
    errors_json "$ERRORS_JSON" ASRMobilityServiceConfiguratorInvalidSourceConfig "$1" SourceConfigFile "$SOURCE_CONFIG"
    set_status Failed
    finish 97
}
[ "$SILENT" = true ] || usage_fail "Interactive configuration is not supported by the double: pass -q."
clear_status
[ -n "$SOURCE_CONFIG" ] || cfg_fail "Source config file (-S) not given."
SC=$(p "$SOURCE_CONFIG")
[ -f "$SC" ] || cfg_fail "Unable to find Source config file : $SOURCE_CONFIG"
case "${DISCOVERY,,}" in
    "") DISC="" ;;
    true) DISC=1 ;;
    false) DISC=0 ;;
    *) cfg_fail "Credential-less discovery (-D) must be true or false." ;;
esac
text=$(<"$SC")
text=${text#"${text%%[![:space:]]*}"}
text=${text%"${text##*[![:space:]]}"}
case "$text" in "{"*"}") ;; *) cfg_fail "Source config file is not a JSON object." ;; esac
re_fqdn='"ApplianceFqdn"[[:space:]]*:[[:space:]]*"([^"]+)"'
re_port='"AppliancePort"[[:space:]]*:[[:space:]]*"?([0-9]+)'
re_host='"HostId"[[:space:]]*:[[:space:]]*"([^"]*)"'
if [[ $text =~ $re_fqdn ]]; then fqdn=${BASH_REMATCH[1]}; else cfg_fail "Source config file has no ApplianceFqdn."; fi
port=443
[[ $text =~ $re_port ]] && port=${BASH_REMATCH[1]}
if [[ $text =~ $re_host ]]; then
    cfg_host=${BASH_REMATCH[1]}
    my_host=$(ini_get "$DRSCOUT" vxagent HostId)
    if [ "${cfg_host,,}" != "${my_host,,}" ]; then
        cfg_fail "Source config file was generated for another machine (HostId $cfg_host)."
    fi
fi
dest="$(p "$INST_DIR")/etc/SourceConfig.json"
(umask 077 && cp -f "$SC" "$dest") && chmod 0600 "$dest"
ini_set "$DRSCOUT" vxagent.transport Hostname "$fqdn"
ini_set "$DRSCOUT" vxagent.transport Port "$port"
[ -n "$DISC" ] && ini_set "$DRSCOUT" vxagent IsCredentialLessDiscovery "$DISC"
[ -n "$(ini_get "$DRSCOUT" vxagent PlatformChangeToCSPrime)" ] && ini_set "$DRSCOUT" vxagent PlatformChangeToCSPrime false
set_status Succeeded
say "Agent configuration with the replication appliance $fqdn:$port is completed successfully."
finish 0
