# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A private data directory laid out the way AWX lays one out for ansible-runner, and helpers to
read a run's job events.

AWX (24.x, via receptor) hands ansible-runner this tree, mounted at /runner in the execution
environment; here it lives in a temporary directory and "the EE's collections" are
build/collections:

    <pdd>/project/            the project checkout (the job template's playbook is relative to it)
    <pdd>/inventory/hosts     an executable script printing the inventory as JSON (--list);
                              for a sliced job only that slice's hosts (AWX: hosts by name,
                              slice k of N = hosts[k-1::N]), groups kept
    <pdd>/env/extravars       the job's extra variables: job template extra_vars, survey
                              answers, and AWX's awx_*/tower_* variables
    <pdd>/env/tmpXXXXXXXX     one file per credential with extra_vars injectors (mode 0400,
                              values tagged !unsafe), passed as `-e @<file>` in env/cmdline
    <pdd>/env/cmdline         further ansible-playbook arguments (-u, --limit, -e @...)
    <pdd>/env/envvars         environment (ANSIBLE_* settings AWX forces, JOB_ID, credential env)
    <pdd>/env/passwords       pexpect prompt -> answer (vault/become/ssh passwords), if any
    <pdd>/env/settings        runner settings
    <pdd>/artifacts/<ident>/  written by the runner: job_events/, stdout, status, rc, command ...
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

INVENTORY_SCRIPT = """#!{python}
# Generated like AWX's inventory script: the inventory as JSON, nothing else.
import json, sys
DATA = {data}
if len(sys.argv) > 1 and sys.argv[1] == '--host':
    print(json.dumps(DATA['_meta']['hostvars'].get(sys.argv[2], {{}})))
else:
    print(json.dumps(DATA))
"""


def project_checkout(dest: Path) -> Path:
    """What AWX's project update leaves: the repository's files (tracked and not ignored)."""
    out = subprocess.run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
                         check=True, stdout=subprocess.PIPE).stdout.decode()
    for name in (f for f in out.split("\0") if f):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def slice_hosts(hosts, number, count):
    """AWX job slicing: hosts ordered by name, slice ``number`` (1-based) of ``count``."""
    return sorted(hosts)[number - 1::count]


def inventory_json(groups: dict, hostvars: dict, only=None) -> dict:
    """``groups``: {group: {"hosts": [...], "vars": {...}}}; ``only``: the hosts kept (a slice)."""
    keep = set(hostvars) if only is None else set(only)
    data = {"_meta": {"hostvars": {h: v for h, v in hostvars.items() if h in keep}}}
    children = []
    for group, spec in groups.items():
        data[group] = {"hosts": sorted(h for h in spec.get("hosts", []) if h in keep),
                       "vars": spec.get("vars", {}), "children": spec.get("children", [])}
        children.append(group)
    data["all"] = {"children": children, "vars": {}}
    return data


def unsafe_yaml(values: dict) -> str:
    """AWX's safe_dump of credential extra vars: every string tagged !unsafe."""
    lines = []
    for key, value in values.items():
        lines.append("%s: !unsafe %s" % (key, json.dumps(value)) if isinstance(value, str)
                     else "%s: %s" % (key, json.dumps(value)))
    return "\n".join(lines) + "\n"


def private_data_dir(base: Path, *, job_id: int, template_name: str, playbook: str, inventory: dict,
                     extravars: dict, credential_extravars=(), envvars=None, limit=None,
                     passwords=None, project: Path = None) -> Path:
    """Lay out one job's private data directory under ``base``; returns it."""
    pdd = Path(tempfile.mkdtemp(prefix="awx_%d_" % job_id, dir=str(base)))
    os.chmod(pdd, 0o700)
    if project is not None:
        (pdd / "project").symlink_to(project, target_is_directory=True)
    else:
        project_checkout(pdd / "project")
    (pdd / "inventory").mkdir()
    script = pdd / "inventory" / "hosts"
    script.write_text(INVENTORY_SCRIPT.format(python=shutil.which("python3") or "/usr/bin/python3",
                                              data=repr(inventory)))
    script.chmod(0o700)
    env = pdd / "env"
    env.mkdir(mode=0o700)
    awx_vars = {}
    for prefix in ("awx", "tower"):
        awx_vars.update({"%s_job_id" % prefix: job_id, "%s_job_launch_type" % prefix: "manual",
                         "%s_job_template_name" % prefix: template_name,
                         "%s_user_name" % prefix: "admin", "%s_inventory_name" % prefix: "ASR lab"})
    (env / "extravars").write_text(json.dumps(dict(extravars, **awx_vars), indent=2))
    cmdline = []
    for values in credential_extravars:
        fd, path = tempfile.mkstemp(dir=str(env))
        with os.fdopen(fd, "w") as handle:
            handle.write(unsafe_yaml(values))
        os.chmod(path, 0o400)
        cmdline += ["-e", "@" + path]
    if limit:
        cmdline += ["--limit", limit]
    if cmdline:
        (env / "cmdline").write_text(" ".join(cmdline))
    forced = {
        # What AWX's RunJob.build_env sets for every playbook run.
        "ANSIBLE_FORCE_COLOR": "False", "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True", "ANSIBLE_PARAMIKO_RECORD_HOST_KEYS": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False", "AWX_PRIVATE_DATA_DIR": str(pdd), "JOB_ID": str(job_id),
        "INVENTORY_ID": "1", "PROJECT_REVISION": "0" * 40, "ANSIBLE_SSH_CONTROL_PATH_DIR": str(pdd / "cp"),
        # The execution environment's collections (here: this checkout).
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / "build" / "collections"),
        "ANSIBLE_LOCAL_TEMP": str(pdd / "tmp"),
    }
    forced.update(envvars or {})
    (env / "envvars").write_text(json.dumps(forced, indent=2))
    (env / "settings").write_text(json.dumps({"job_timeout": 1800, "suppress_ansible_output": True}))
    if passwords:
        (env / "passwords").write_text(json.dumps(passwords))
    return pdd


# ------------------------------------------------------------------------------------ job events
def events(pdd: Path, ident: str) -> list:
    folder = pdd / "artifacts" / ident / "job_events"
    out = []
    for path in folder.glob("*.json"):
        out.append(json.loads(path.read_text()))
    return sorted(out, key=lambda e: e.get("counter", 0))


def host_stats(evts) -> dict:
    """{host: {ok, changed, failures, dark, skipped, ...}} from the playbook_on_stats event."""
    stats = [e for e in evts if e.get("event") == "playbook_on_stats"]
    assert len(stats) == 1, "no (or several) playbook_on_stats events"
    data = stats[0]["event_data"]
    hosts = set()
    for key in ("ok", "changed", "failures", "dark", "skipped", "rescued", "ignored", "processed"):
        hosts |= set((data.get(key) or {}).keys())
    return {h: {k: (data.get(k) or {}).get(h, 0) for k in ("ok", "changed", "failures", "dark", "skipped",
                                                           "rescued", "ignored")} for h in hosts}


def task_results(evts, task: str, event: str = "runner_on_ok") -> dict:
    """{host: res} for one task name (the last event per host)."""
    found = {}
    for e in evts:
        data = e.get("event_data") or {}
        if e.get("event") == event and data.get("task") == task:
            found[data["host"]] = data.get("res") or {}
    return found


def grep_tree(root: Path, needle: str) -> list:
    """Every file under ``root`` whose bytes contain ``needle`` (plain, or as JSON escapes it)."""
    needles = {needle.encode(), json.dumps(needle)[1:-1].encode()}
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(n in data for n in needles):
                hits.append(str(path))
    return hits
