#!/usr/bin/env bash
# Run azure_guest_* molecule scenarios, JOBS at a time, each logged to LOG_DIR/<scenario>.log;
# a table of results and times at the end; exit 1 when any failed (its log tail is shown).
#   run_scenarios.sh JOBS LOG_DIR scenario...      (mk/azure.mk: make azure-molecule)
# The molecule command comes from $MOLECULE (default: molecule -c molecule/shared/base.yml).
# The first scenario starts alone until the lab network exists: molecule/shared/create.yml
# creates it, and two creates racing for it could both try.
set -u -o pipefail
jobs=$1 log_dir=$2
shift 2
read -r -a molecule <<< "${MOLECULE:-molecule -c molecule/shared/base.yml}"
network=${ASR_LAB_NETWORK:-asr-lab}
mkdir -p "$log_dir"
declare -A started rc
run() {
  local s=$1
  started[$s]=$(date +%s)
  ( "${molecule[@]}" test -s "$s" > "$log_dir/$s.log" 2>&1; echo $? > "$log_dir/$s.rc" ) &
  echo "started $s (log $log_dir/$s.log)"
}
t0=$(date +%s)
first=1
for s in "$@"; do
  rm -f "$log_dir/$s.rc"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 2; done
  run "$s"
  if [ $first = 1 ] && [ "$jobs" -gt 1 ]; then
    for _ in $(seq 120); do podman network exists "$network" && break; sleep 1; done
    first=0
  fi
done
wait
failed=0
printf '\n%-26s %-7s %6s\n' scenario result seconds
for s in "$@"; do
  rc[$s]=$(cat "$log_dir/$s.rc" 2>/dev/null || echo 99)
  end=$(stat -c %Y "$log_dir/$s.rc" 2>/dev/null || date +%s)
  if [ "${rc[$s]}" = 0 ]; then r=passed; else r=FAILED; failed=1; fi
  printf '%-26s %-7s %6s\n' "$s" "$r" "$(( end - started[$s] ))"
done
printf '%-26s %-7s %6s\n' "(wall clock, $jobs at a time)" "" "$(( $(date +%s) - t0 ))"
for s in "$@"; do
  if [ "${rc[$s]}" != 0 ]; then
    echo; echo "==== $s: last lines of $log_dir/$s.log"; tail -40 "$log_dir/$s.log" | sed -e 's/\x1b\[[0-9;]*m//g'
  fi
done
exit $failed
