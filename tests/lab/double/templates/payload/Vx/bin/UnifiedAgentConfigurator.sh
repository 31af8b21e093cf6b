#!/usr/bin/env bash
# ---------------------------------------------------------------------------------------------
# ASR installer DOUBLE - <root>/Vx/bin/UnifiedAgentConfigurator.sh (lab only). Follows Microsoft's
# published VX/templates/UnifiedAgentConfigurator.sh ("CONF:<line>").
#   classic     : -i <CS address> -P <passphrase file> -c CSLegacy -q [-p <port, default 443>]
#   modernized  : -S <config.json> -c CSPrime -q [-D true|false]
#   unconfigure : -U true -c CSPrime        (with CSLegacy -U is a no-op exiting 0, like the vendor's)
#   common      : [-l <log, default /var/log/ua_install.log>] [-f <errors json>]
# Order:
#   unknown option (e.g. lower-case -s), missing argument, -c not CSLegacy|CSPrime: usage, exit 0
#     (usage() ends in exit 0, so the 96 after usage is never reached: CONF:1637-1650, :1673-1682) ...... 0
#   agent not installed (CONF:1902-1905) ......................................................... 1
#   classic without -i/-P or without -q: interactive (vendor prompts; the double refuses) .......... 1
#   platform Azure (drscout VmPlatform) without a valid -C credentials file (CONF:1738-1747) ...... 1
#   classic: passphrase file missing (CONF:1764-1769) ............................................ 1
#   drscout.conf Hostname and Port set and different from -i / -p (default 443), unless
#     PlatformChangeToCSPrime=true: "already registerd to different Configuration server"
#     (CONF:1816-1830; the registration status does not count) ................................. 13
#   -- then the AGENT_CONFIGURATION_STATUS line is deleted and vxagent stopped (CONF:1833-1837) --
#   vxagent cannot be stopped (fault 'stop', CONF:262-271) ........................................ 115
#   a HostId is generated when drscout.conf has the template one (CONF:776-800)
#   classic: CS unreachable / passphrase refused after ASR_DOUBLE_CS_RETRIES attempts: vxagent
#     stays stopped, no status line (CONF:1144-1185, :1880) ................................. 14
#     CS answered but registration failed (fault 'register_fail'): status Failed, Hostname
#     cleared (cdpcli, CONF:872-923) ............................................................ 17
#   modernized: -S missing (CONF:1839-1844) -> 1 -> 97; AzureRcmCli --verifyclientauth fails ->
#     98 with no status, CSType unchanged, vxagent stopped (CONF:1190-1223, :416-430, :1878) .. 98
#   success: status Succeeded (CONF:926-927 / :1093-1094), then vxagent starts; it does not
#     (fault 'service') -> 44 after Succeeded was written (CONF:318-328, :1889) ............... 44
#   CSPrime runs normalise every code other than 0/97/98 to 97 (CONF:114-140).
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
    exit 0   # CONF:1650: usage() ends in "exit 0"; the 96 that follows usage (CONF:1674, :1682) is never reached
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
RCM_CREDS=""
while getopts ":i:P:p:S:D:U:c:l:f:C:qh" opt; do
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
        C) RCM_CREDS=$OPTARG ;;
        q) SILENT=true ;;
        :) [ -n "$OPT_ERROR" ] || OPT_ERROR="Option -$OPTARG requires an argument." ;;
        *) [ -n "$OPT_ERROR" ] || OPT_ERROR="Unknown option -$OPTARG." ;;
    esac
done
shift $((OPTIND - 1))
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

# ---- silent checks (CONF:1735-1800) ------------------------------------------------------------
if [ "$CS_TYPE" = CSLegacy ] && { [ -z "$CS_IP" ] || [ -z "$PASSFILE" ]; }; then SILENT=false; fi   # CONF:1699-1707
if [ "$SILENT" != true ]; then
    say "Interactive configuration is not simulated by the double: pass -q (and -i, -P for CSLegacy)."
    finish 1
fi
VM_PLATFORM=$(ini_get "$DRSCOUT" vxagent VmPlatform)
if [ "$VM_PLATFORM" = Azure ]; then
    # is_valid_creds_file (CONF:1373-1386): platform Azure registers with RCM credentials only
    if [ -z "$RCM_CREDS" ] || [ ! -s "$(p "$RCM_CREDS")" ]; then
        say "$RCM_CREDS file does not exists or invalid credential file"
        finish 1
    fi
    say "Platform Azure registration (RCM credentials) is not simulated by the double."
    finish 1
elif [ "$VM_PLATFORM" != VmWare ]; then
    errors_json "$ERRORS_JSON" ASRMobilityServiceVMPlatformNotSet "Unable to read the configuration of the source machine."
    finish 97                                                                            # CONF:1772-1776
fi
if [ "$CS_TYPE" = CSLegacy ] && [ ! -f "$(p "$PASSFILE")" ]; then
    say "Passphrase file passed to the installer does not exist."                        # CONF:1764-1769
    finish 1
fi
[ -n "$CS_PORT" ] || CS_PORT=443                                                         # CONF:1800-1805

# ---- already registered elsewhere? (CONF:1816-1830: Hostname AND Port as written) ----------------
cur_host=$(ini_get "$DRSCOUT" vxagent.transport Hostname)
cur_port=$(ini_get "$DRSCOUT" vxagent.transport Port)
to_prime=$(ini_get "$DRSCOUT" vxagent PlatformChangeToCSPrime)
if [ -n "$cur_host" ] && [ -n "$cur_port" ]; then
    if [ "$cur_host" = "$CS_IP" ] && [ "$cur_port" = "$CS_PORT" ]; then
        log "Agent is already registerd to same Configuration server ($cur_host:$cur_port)."
    elif [ "$to_prime" = true ]; then
        log "Allowing upgrade from CS to CSPRIME."
    else
        say "Agent is already registerd to different Configuration server ($cur_host:$cur_port)."
        finish 13
    fi
fi

# ---- the status line goes and vxagent stops before anything is contacted (CONF:1833-1837) --------
clear_status
if ! service_stop "$BIN_DIR" "$LOGFILE"; then
    say "Could not stop Vx agent service. Please re-try after sometime. Aborting..."     # CONF:262-271
    finish 115
fi
log "Vx agent service stopped."

if [ "$CS_TYPE" = CSPrime ] && { [ -z "$SOURCE_CONFIG" ] || [ ! -f "$(p "$SOURCE_CONFIG")" ]; }; then
    say "Unable to find Source config file : $SOURCE_CONFIG"                              # CONF:1839-1844
    finish 1
fi

# generate_host_id (CONF:776-800): a new HostId only when drscout.conf has none or the template's
host_id=$(ini_get "$DRSCOUT" vxagent HostId)
if [ -z "$host_id" ] || [ "$host_id" = "$TEMPLATE_HOST_ID" ]; then
    host_id=$(cat /proc/sys/kernel/random/uuid)
    ini_set "$DRSCOUT" vxagent HostId "$host_id"
    log "Generated HostId $host_id."
fi

start_or_44() {
    if has_fault service || ! service_start "$BIN_DIR" "$LOGFILE"; then
        say "Couldn't start VX agent service"                                             # CONF:318-328
        service_stop "$BIN_DIR" "$LOGFILE"
        finish 44
    fi
}

if [ "$CS_TYPE" = CSLegacy ]; then
    # ---------------- classic ----------------
    PF=$(p "$PASSFILE")
    priv=$(p /usr/local/InMage/private)
    mkdir -p "$priv" && chmod 0700 "$priv"
    dest=$(p "$CONNECTION_PASSPHRASE")
    (umask 077 && cp -f "$PF" "$dest") && chmod 0600 "$dest"                               # CONF:1276-1277

    pass=""
    IFS= read -r pass <"$PF" || true
    pass=${pass%$'\r'}
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
    ini_set "$DRSCOUT" vxagent CSType CSLegacy                                              # CONF:1288
    if [ "$code" != 200 ]; then
        # get_cs_fingerprint failed: 14, nothing else is written, vxagent stays stopped (CONF:1880)
        say "Unable to establish a connection with Configuration server."
        say "Either wrong FQDN/IP/Passphrase has been provided. Aborting the installation."  # CONF:1170-1172
        finish 14
    fi
    ini_set "$DRSCOUT" vxagent.transport Hostname "$CS_IP"                                  # CONF:841-846
    ini_set "$DRSCOUT" vxagent.transport Port "$CS_PORT"
    if has_fault register_fail; then
        # cs_agent_registration: cdpcli --registerhost failed (CONF:908-922)
        set_status Failed
        ini_set "$DRSCOUT" vxagent.transport Hostname ""
        say "Agent registration has failed."
        finish 17
    fi
    set_status Succeeded                                                                    # CONF:926-927
    start_or_44
    [ -n "$to_prime" ] && ini_set "$DRSCOUT" vxagent PlatformChangeToCSPrime false          # CONF:1891
    say "Agent configuration is completed successfully."
    finish 0
fi

# ---------------- modernized (CSPrime) ----------------
case "${DISCOVERY,,}" in
    "") DISC="" ;;
    true) DISC=1 ;;
    false) DISC=0 ;;
    *) say "Credential-less discovery (-D) must be true or false."; finish 1 ;;
esac
[ -n "$DISC" ] && ini_set "$DRSCOUT" vxagent IsCredentialLessDiscovery "$DISC"             # update_discovery
# verify_client_auth (CONF:1190-1223): AzureRcmCli --verifyclientauth, 4 tries; a failure
# returns 1 -> 98 (process_azurercmcli_exitcode, CONF:416-430) and the run stops there.
tries=${ASR_DOUBLE_CS_RETRIES:-1}
attempt=1
while :; do
    "$BIN_DIR/AzureRcmCli" --verifyclientauth --configfile "$SOURCE_CONFIG" --logfile "$LOGFILE"
    rc=$?
    [ $rc -eq 0 ] && break
    [ "$attempt" -ge "$tries" ] && break
    attempt=$((attempt + 1))
    sleep "$CS_RETRY_SLEEP"
done
if [ "$rc" -ne 0 ]; then
    say "Unable to establish a connection with RCM Proxy."
    case $rc in 1) finish 98 ;; 2) finish 97 ;; *) finish "$rc" ;; esac
fi
ini_set "$DRSCOUT" vxagent CSType CSPrime                                                   # CONF:1214, :1239-1243
dest="$(p "$INST_DIR")/etc/SourceConfig.json"
(umask 077 && cp -f "$(p "$SOURCE_CONFIG")" "$dest") && chmod 0600 "$dest"
ini_set "$DRSCOUT" vxagent.transport Hostname ""                                            # CONF:841-846 (no -i)
ini_set "$DRSCOUT" vxagent.transport Port "$CS_PORT"
set_status Succeeded                                                                        # CONF:1093-1094
start_or_44
[ -n "$to_prime" ] && ini_set "$DRSCOUT" vxagent PlatformChangeToCSPrime false              # CONF:1891
say "Agent configuration with the replication appliance is completed successfully."
finish 0
