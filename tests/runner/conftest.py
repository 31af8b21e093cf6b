# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab for the ansible-runner tests: tests/lab/lab.py up with four systemd hosts (Debian 12
twice, Debian 11, spoofed RHEL 8), the installer double on the lab's mirror and the fake
configuration server with a passphrase generated for this run; `lab.py down` afterwards.

RUNNER_LAB_HOSTS overrides the hosts (lab.py --hosts syntax); RUNNER_KEEP_LAB=1 leaves it up.
lab.py manages one lab per machine: `up` replaces whatever lab is running.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for path in (str(HERE), str(REPO / "tests" / "report"), str(REPO / "build" / "collections")):
    if path not in sys.path:
        sys.path.insert(0, path)

DEFAULT_HOSTS = "rdeb12a=debian12,rdeb12b=debian12,rdeb11=debian11,rrhel8=spoof-rhel8"
VERSION = "9.66.7567.1"
TOKENS = ("DEBIAN11-64", "DEBIAN12-64", "RHEL8-64")


def run(cmd, **kw):
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    if not shutil.which("podman"):
        pytest.fail("the runner tests need the podman lab: apt-get install -y podman runc debootstrap "
                    "(make lab-deps)")
    if not (REPO / "build" / "collections" / "ansible_collections" / "asr" / "mobility").exists():
        pytest.fail("run `make collection` first")
    hosts = os.environ.get("RUNNER_LAB_HOSTS", DEFAULT_HOSTS)
    work = tmp_path_factory.mktemp("runner-lab")
    mirror = work / "mirror"
    mirror.mkdir()
    images = sorted({h.split("=", 1)[1] for h in hosts.split(",")})
    run([sys.executable, REPO / "tests/lab/images/build.py", "--only", *images, "svc"])
    for token in TOKENS:
        run([sys.executable, REPO / "tests/lab/double/build_installer.py", "--version", VERSION, "--token", token,
             "--out-dir", mirror], stdout=subprocess.DEVNULL)
    sums = subprocess.run(["sha256sum"] + sorted(p.name for p in mirror.glob("Microsoft-ASR_UA_*")), cwd=str(mirror),
                          check=True, stdout=subprocess.PIPE, text=True).stdout
    (mirror / "SHA256SUMS").write_text(sums)
    state = work / "state"
    inventory = work / "lab-hosts.yml"
    passphrase_file = work / "cs.passphrase"
    common = ["--state-dir", state, "--inventory", inventory]
    run([sys.executable, REPO / "tests/lab/lab.py", "up", "--hosts", hosts, "--cs-passphrase-file", passphrase_file,
         "--generate-passphrase", "--mirror-dir", mirror, *common])
    try:
        inv = yaml.safe_load(inventory.read_text())
        # A spoofed RHEL 8 host runs the build host's Debian kernel, which no .el8 rule of the vendor's
        # prereq_check_install.sh accepts: give the double the kernel a RHEL 8 host has (it reads
        # /etc/asr-double/kernel instead of uname -r) and skip the role's preflight there, as the
        # spoofed molecule scenarios do (molecule/spoof_rhel8/molecule.yml).
        images_of = dict(h.split("=", 1) for h in hosts.split(","))
        for name, host_vars in inv["all"]["children"]["asr_mobility"]["hosts"].items():
            if images_of.get(name) == "spoof-rhel8":
                run(["podman", "exec", "asr-lab-" + name, "sh", "-c",
                     "mkdir -p /etc/asr-double && echo 4.18.0-513.5.1.el8_9.x86_64 > /etc/asr-double/kernel"])
                host_vars["mobility_service_preflight"] = False
        yield {
            "inventory": inv,
            "hosts": sorted(inv["all"]["children"]["asr_mobility"]["hosts"]),
            "vars": inv["all"]["vars"],
            "passphrase": passphrase_file.read_text().splitlines()[0],
            "work": work,
        }
    finally:
        if os.environ.get("RUNNER_KEEP_LAB") != "1":
            subprocess.run([sys.executable, str(REPO / "tests/lab/lab.py"), "down", *map(str, common)], check=False)


def cs_registrations(cs_url: str) -> dict:
    """The fake configuration server's successful registrations per host name, summed over the
    host's HostIds (a reinstalled agent registers under a new HostId)."""
    import urllib.request
    with urllib.request.urlopen(cs_url + "/registrations", timeout=10) as resp:
        data = json.load(resp)
    counts = {}
    for reg in data.get("registrations", []):
        counts[reg.get("HostName")] = counts.get(reg.get("HostName"), 0) + int(reg.get("count") or 0)
    return counts
