#!/usr/bin/env bash
# Put the offline get-pip stand-in where each installed ansible-test looks for its bootstrap
# script (~/.ansible/test/cache/get_pip_<ver>.py), for every pip version those ansible-tests pin.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
for venv in "$@"; do
  for req in "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py; do
    [ -f "$req" ] || continue
    grep -oE "pip='[0-9.]+'" "$req" | grep -oE "[0-9.]+" | sort -u | while read -r ver; do
      dest="$cache/get_pip_${ver//./_}.py"
      cp "$here/get_pip_standin.py" "$dest"
    done
  done
done
ls "$cache"
