"""Run the per-distro molecule scenarios of the lab and print a table distro -> result.

  scenarios.py list                                   the scenarios, their images and tokens
  scenarios.py run [--set required|all] [--only NAME ...] [--jobs N] [--keep-services]
  scenarios.py services [--token T ...] [--version V ...]   (called by molecule/common/prepare.yml)
  scenarios.py services --down

A scenario is a directory molecule/<name>/ (not _*, shared, common) whose molecule.yml names one
platform with an asr_token (other directories are other suites and are left alone): its image,
the installer token the collection must pick (asr_token), optionally the
Python interpreter (asr_python) and the lifecycle depth (asr_lifecycle: full | short). Everything
else is shared: molecule/shared/base.yml (create/destroy) + molecule/common/base.yml (prepare,
converge, idempotence, verify, side_effect through playbooks/deploy_mobility.yml and
playbooks/uninstall_mobility.yml). See molecule/common/README.md.

Services. The scenarios have their own fake configuration server and installer mirror, two small
containers on the lab network (image localhost/asr-lab:svc, the lab's own server.py and
http.server):

  10.89.77.4:8443   asr-scn-cs      fake CS; passphrase = vault_asr_mobility_passphrase of the lab vault
  10.89.77.5:8080   asr-scn-mirror  build/scenarios/mirror: installer doubles + SHA256SUMS

They are not lab.py's asr-lab-cs/asr-lab-mirror because `lab.py up` removes every lab.py container
(a scenario run would break a running `make demo` and the other way round) and the demo owns its
mirror directory (it wipes it). They carry the label asr.lab.managed-by=scenarios.py; `lab.py down`
leaves them (and the network while they use it). `services` is idempotent and serialised by a lock
file, so parallel prepares are safe: it builds the doubles a scenario needs (the builder is
deterministic) and replaces those that are missing or changed (edited double templates), rewrites
SHA256SUMS, and (re)starts a service that does not answer. The services belong to one checkout
(label asr.scn.checkout); `run` removes them at the end unless scenario hosts are still running.
One machine runs the scenarios of one checkout at a time (the host containers have fixed names).

Images come from tests/lab/images/build.py (make lab-images / lab-images-all). A scenario whose
image is opt-in (Ubuntu) and not built is SKIPPED with the reason; a scenario whose target Python
the current ansible-core cannot manage runs with an older controller venv: Python 2.7 and 3.6
(Ubuntu 16.04, 18.04) with .venv216 (ansible-core 2.16, make venv216), Python 3.5 (Ubuntu 16.04's
python3) with .venv215 (ansible-core 2.15, make venv215); SKIPPED when that venv is missing. A required scenario never skips: missing image = FAILED.

Results: a markdown table on stdout and in build/scenarios/results.md (+ results.json), one log per
scenario in build/scenarios/logs/<name>.log, the nested playbook runs (JSON) in
build/scenarios/runs/<name>/. Exit 1 when any scenario failed.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "images"))
import lab  # noqa: E402  (tests/lab/lab.py: podman helpers, network plan)
import build as images  # noqa: E402  (tests/lab/images/build.py: image metadata)

MOLECULE_DIR = REPO / "molecule"
NOT_SCENARIOS = {"shared", "common"}
STATE = REPO / "build" / "scenarios"
LABEL = "asr.lab.managed-by=scenarios.py"
CS_NAME, MIRROR_NAME = "asr-scn-cs", "asr-scn-mirror"
CS_IP, MIRROR_IP = "10.89.77.4", "10.89.77.5"
CS_PORT, MIRROR_PORT = 8443, 8080
CS_URL, MIRROR_URL = f"http://{CS_IP}:{CS_PORT}", f"http://{MIRROR_IP}:{MIRROR_PORT}"
VAULT = REPO / "inventories" / "lab" / "group_vars" / "asr_mobility" / "vault.yml"
VAULT_PASSWORD = REPO / "inventories" / "lab" / "vault-password.lab"
VAULT_KEY = "vault_asr_mobility_passphrase"
# ansible-core line -> controller venv (Makefile: venv, venv219, venv216; mk/molecule.mk: venv215).
# MAIN is the main controller (.venv, which also runs molecule). Images label the hosts any current
# core manages with "2.19" (tests/lab/images/build.py; the label is part of their recipe hash):
# the main controller runs those, `run --controller 2.19` runs them on .venv219 instead.
MAIN = "2.21"
VENVS = {MAIN: REPO / ".venv", "2.19": REPO / ".venv219", "2.16": REPO / ".venv216",
         "2.15": REPO / ".venv215"}
CURRENT_LABEL = "2.19"
# Any of these in a scenario log fails the scenario (issue 17: no deprecation warnings on 2.21).
DEPRECATION = re.compile(r"\[DEPRECATION WARNING\]:?(.*)")
BASE_CONFIGS = [MOLECULE_DIR / "shared" / "base.yml", MOLECULE_DIR / "common" / "base.yml"]
# The scenarios' group_vars (molecule/common/base.yml links them): the scenario variables of
# molecule/common/inventory/group_vars/ plus the lab's own inventories/lab/group_vars/asr_mobility
# (what `make demo` uses), assembled as real files for each run: git holds no directory symlink.
GROUP_VARS_SOURCES = [MOLECULE_DIR / "common" / "inventory" / "group_vars",
                      REPO / "inventories" / "lab" / "group_vars"]
GROUP_VARS = STATE / "group_vars"


def assemble_group_vars(dest: Path = GROUP_VARS) -> Path:
    """Copy every group's vars of GROUP_VARS_SOURCES into dest (a group in two sources: error)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for source in GROUP_VARS_SOURCES:
        for group in sorted(source.iterdir()):
            if (dest / group.name).exists():
                raise SystemExit(f"group_vars {group.name} is defined twice ({source})")
            if group.is_dir():
                shutil.copytree(group, dest / group.name)
            else:
                shutil.copy2(group, dest / group.name)
    return dest


LIFECYCLE = {
    "full": "converge (old pin), idempotence, verify, check mode, upgrade (98, reboot reported), "
            "same version, uninstall, wrong passphrase on a fresh host (14, rolled back)",
    "short": "converge (old pin), idempotence, verify, check mode, uninstall",
}


def say(msg: str) -> None:
    print(msg, flush=True)


def loud(msg: str) -> None:
    rule = "!" * min(100, max(20, len(msg) + 8))
    print(f"\n{rule}\n!!! {msg}\n{rule}\n", flush=True)


# --------------------------------------------------------------------------------------- scenarios
def load_yaml(path: Path):
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - the venv has PyYAML
        raise SystemExit(f"PyYAML is needed (run with .venv/bin/python): {exc}")
    with open(path) as fh:
        return yaml.safe_load(fh)


def current(line: str) -> str:
    return MAIN if line == CURRENT_LABEL else line


def scenarios() -> list:
    found = []
    for path in sorted(MOLECULE_DIR.glob("*/molecule.yml")):
        name = path.parent.name
        if name.startswith("_") or name in NOT_SCENARIOS:
            continue
        data = load_yaml(path) or {}
        plats = data.get("platforms") or []
        if not any("asr_token" in p for p in plats):
            continue                   # another suite's scenario (e.g. a role's own molecule tests)
        if len(plats) != 1:
            raise SystemExit(f"{path}: exactly one platform expected")
        p = plats[0]
        ref = p.get("image", "")
        tag = ref.rsplit(":", 1)[-1]
        meta = images.BY_NAME.get(tag)
        found.append({
            "name": name, "platform": p["name"], "image": ref, "token": p.get("asr_token", ""),
            "lifecycle": p.get("asr_lifecycle", "short"),
            "python": p.get("asr_python", meta.python if meta else "/usr/bin/python3"),
            "controller": current(str(p.get("asr_controller", meta.controller if meta else MAIN))),
            "group": p.get("asr_group", meta.group if meta else "required"),
            "description": p.get("asr_description", meta.description if meta else ref),
        })
    return found


# ---------------------------------------------------------------------------------------- services
@contextlib.contextmanager
def locked():
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def vault_passphrase() -> str:
    exe = shutil.which("ansible-vault") or str(VENVS[MAIN] / "bin" / "ansible-vault")
    proc = subprocess.run([exe, "view", "--vault-password-file", str(VAULT_PASSWORD), str(VAULT)],
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"ansible-vault view {VAULT} failed: {proc.stderr.strip()}")
    for line in proc.stdout.splitlines():
        m = re.match(rf"^{VAULT_KEY}:\s*(.+?)\s*$", line)
        if m:
            return m.group(1).strip("\"'")
    raise SystemExit(f"{VAULT_KEY} not found in {VAULT}")


def write_if_changed(path: Path, text: str, mode: int) -> bool:
    if path.is_file() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as fh:           # in place: the CS container has the directory mounted
        fh.write(text)
    os.chmod(path, mode)
    return True


def build_mirror(tokens: list, versions: list) -> list:
    """Build the doubles (deterministic bytes) and put those that are new or changed (the double's
    templates were edited) into the mirror; rewrite SHA256SUMS. Returns the names written."""
    mirror = STATE / "mirror"
    mirror.mkdir(parents=True, exist_ok=True)
    written = []
    sys.path.insert(0, str(HERE / "double"))
    import build_installer  # tests/lab/double/build_installer.py
    with tempfile.TemporaryDirectory(dir=mirror, prefix=".build-") as tmp:
        for token in tokens:
            for version in versions:
                fresh = Path(build_installer.build(version, token, tmp))
                dest = mirror / fresh.name
                if not dest.is_file() or dest.read_bytes() != fresh.read_bytes():
                    fresh.replace(dest)
                    written.append(dest.name)
    sums = []
    for f in sorted(mirror.glob("Microsoft-ASR_UA_*")):
        sums.append(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n")
    tmp_sums = mirror / ".SHA256SUMS.tmp"
    tmp_sums.write_text("".join(sums))
    tmp_sums.replace(mirror / "SHA256SUMS")
    return written


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status == 200
    except Exception:  # noqa: BLE001
        return False


def container_state(name: str) -> str:
    proc = lab.podman("inspect", "--format", "{{.State.Status}}", name, check=False, quiet=True)
    return proc.stdout.strip() if proc.returncode == 0 else "absent"


def service_owner(name: str) -> str | None:
    """The checkout (label asr.scn.checkout) a service container belongs to; None when absent."""
    proc = lab.podman("inspect", "--format", '{{index .Config.Labels "asr.scn.checkout"}}', name,
                      check=False, quiet=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def start(name: str, ip: str, probe: str, run_args: list) -> str:
    """(Re)start a service container unless this checkout's copy already answers. A copy started
    by another checkout (label asr.scn.checkout) serves that checkout's mirror: it is replaced,
    unless that checkout's scenario hosts are running (then two runs would break each other)."""
    state = container_state(name)
    if state == "running":
        owner = service_owner(name)
        if owner == str(REPO) and answers(probe):
            return "running"
        busy = scenario_instances() if owner != str(REPO) else []
        if busy:
            raise SystemExit(f"{name} belongs to the scenario run of {owner or 'another checkout'}, "
                             f"whose hosts are running ({', '.join(busy)}): the "
                             f"scenarios of one machine run one checkout at a time")
    lab.podman("rm", "-f", "-t", "0", name, check=False, quiet=True)
    lab.podman("run", "-d", "--name", name, "--hostname", name, "--label", LABEL,
               "--label", f"asr.scn.checkout={REPO}",
               "--network", "asr-lab", "--ip", ip, "--init", *lab.RUN_ARGS, *run_args)
    lab.wait_http(name, probe, 60)
    return "started"


def ensure_services(tokens: list, versions: list) -> dict:
    with locked():
        args = argparse.Namespace(subnet=lab.DEFAULTS["subnet"], network=lab.DEFAULTS["network"],
                                  cs_port=CS_PORT, mirror_port=MIRROR_PORT)
        lab.image_labels(lab.image_ref("svc"))           # clear error when the image is missing
        lab.ensure_network(lab.Plan(args))
        secrets_dir = STATE / "secrets"
        secrets_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(secrets_dir, 0o700)
        changed_pass = write_if_changed(secrets_dir / "cs.passphrase", vault_passphrase() + "\n", 0o600)
        built = build_mirror(tokens, versions)
        (STATE / "cs-state").mkdir(parents=True, exist_ok=True)
        server = lab.DEFAULTS["cs_server"]
        cs = start(CS_NAME, CS_IP, f"{CS_URL}/healthz", [
            "-v", f"{server.parent}:/opt/asr-lab/fake_cs:ro",
            "-v", f"{secrets_dir}:/run/asr-scn:ro",
            "-v", f"{STATE / 'cs-state'}:/var/lib/asr-lab/cs-state",
            lab.image_ref("svc"), "python3", f"/opt/asr-lab/fake_cs/{server.name}",
            "--bind", CS_IP, "--port", str(CS_PORT), "--passphrase-file", "/run/asr-scn/cs.passphrase",
            "--state-dir", "/var/lib/asr-lab/cs-state"])
        mirror = start(MIRROR_NAME, MIRROR_IP, f"{MIRROR_URL}/SHA256SUMS", [
            "-v", f"{STATE / 'mirror'}:/srv/mirror:ro", lab.image_ref("svc"),
            "python3", "-m", "http.server", str(MIRROR_PORT), "--bind", MIRROR_IP,
            "--directory", "/srv/mirror"])
    return {"cs": cs, "cs_url": CS_URL, "mirror": mirror, "mirror_url": MIRROR_URL,
            "written": built, "passphrase_updated": changed_pass,
            "changed": bool(built) or changed_pass or "started" in (cs, mirror)}


def scenario_instances(all_states: bool = False) -> list:
    """Running scenario hosts (molecule/shared/create.yml labels them), e.g. another run's;
    with all_states also stopped ones."""
    out = lab.podman("ps", *(["-a"] if all_states else []), "--filter",
                     "label=asr.lab.managed-by=molecule", "--format",
                     "{{.Names}}", check=False, quiet=True).stdout.split()
    return [n for n in out if n.startswith("asr-scn-")]


def services_down(force: bool = True) -> None:
    busy = scenario_instances()
    if busy and not force:
        say(f"keeping {CS_NAME} and {MIRROR_NAME}: scenario hosts still running ({', '.join(busy)})")
        return
    for name in (CS_NAME, MIRROR_NAME):
        if container_state(name) != "absent":
            say(f"removing {name}")
            lab.podman("rm", "-f", "-t", "0", name, check=False)


def cmd_services(args) -> int:
    if args.down:
        services_down()
        return 0
    out = ensure_services(args.token or [], args.version or [])
    print(json.dumps(out))
    return 0


# --------------------------------------------------------------------------------------------- run
def skip_reason(sc: dict) -> str | None:
    venv = VENVS.get(sc["controller"])
    if venv is None:
        return f"no controller venv for ansible-core {sc['controller']}"
    if not (venv / "bin" / "ansible-playbook").exists():
        target = {"2.19": "venv219", "2.16": "venv216", "2.15": "venv215"}.get(sc["controller"], "venv")
        return (f"{sc['description']} needs ansible-core {sc['controller']} ({venv.name} missing: "
                f"make {target})")
    return None


def image_missing(sc: dict) -> bool:
    return lab.podman("image", "exists", sc["image"], check=False, quiet=True).returncode != 0


MOLECULE_STEP = re.compile(r"\[(\S+) (?:>|➜) (\w+)\] Executed: Failed|(\S+) (?:>|➜) (\w+): Executed: Failed")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def failure_reason(log: str) -> str:
    text = ANSI.sub("", log)
    step = ""
    m = MOLECULE_STEP.findall(text)
    if m:
        step = m[-1][1] or m[-1][3]
    msg = ""
    # the assertion / task failure ansible printed last (our verify/side_effect fail_msg)
    for line in text.splitlines():
        line = re.sub(r"^\s*│\s?", "", line)
        if re.search(r"fatal: \[|FAILED! =>|\"msg\":", line):
            mm = re.search(r'"msg": "((?:[^"\\]|\\.)*)"', line)
            if mm:
                msg = mm.group(1)
            elif not msg:
                msg = line.strip()
    if "Idempotence test failed" in text:
        msg = "idempotence: tasks changed on the second converge: " + ", ".join(
            sorted(set(re.findall(r"\*\s+\[[^\]]+\] => (.+)", text))))[:300]
    reason = f"{step}: {msg}" if step else msg
    return reason.replace("\\n", " ").strip()[:240] or "see the log"


def run_one(sc: dict, args) -> dict:
    row = dict(sc, result="", why="", seconds=0.0, cpu=0.0, steps={})
    reason = skip_reason(sc)
    if image_missing(sc):
        if sc["group"] == "required":
            row.update(result="failed", why=f"image {sc['image']} missing (make lab-images)")
        else:
            row.update(result="skipped",
                       why=f"image {sc['image']} not built (opt-in; make lab-images-all builds it "
                           f"when Ubuntu's archive answers)")
        return row
    if reason:
        if sc["group"] == "required":
            row.update(result="failed", why=reason)
        else:
            row.update(result="skipped", why=reason)
        return row
    logs = STATE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{sc['name']}.log"
    venv = VENVS[sc["controller"]]
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(venv / "bin"), str(VENVS[MAIN] / "bin"), env.get("PATH", "")])
    env.pop("VIRTUAL_ENV", None)
    env.setdefault("CONTAINERS_CONF", str(lab.CONTAINERS_CONF))
    env["ANSIBLE_COLLECTIONS_PATH"] = str(REPO / "build" / "collections")
    env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "true"
    env["ANSIBLE_FORCE_COLOR"] = "false"
    env["PY_COLORS"] = "0"
    env["NO_COLOR"] = "1"
    env["ANSIBLE_DEPRECATION_WARNINGS"] = "true"
    cmd = [str(VENVS[MAIN] / "bin" / "molecule")]
    for base in BASE_CONFIGS:
        cmd += ["-c", str(base)]
    cmd += ["test", "-s", sc["name"]]
    t0 = time.monotonic()
    with open(log_path, "w") as fh:
        fh.write(f"# {' '.join(cmd)}\n# controller: {venv.name} (ansible-core {sc['controller']})\n"
                 f"# each line: seconds since the start\n")
        rc, row["cpu"] = run_logged(cmd, env, fh, t0, args.timeout)
    row["seconds"] = round(time.monotonic() - t0, 1)
    row["steps"] = step_times(log_path)
    cleanup_local_collections()
    deprecations = deprecation_warnings(log_path.read_text(errors="replace"))
    if rc == 0 and deprecations:
        row.update(result="failed", why=f"{len(deprecations)} deprecation warning(s), first: "
                                        f"{deprecations[0][:160]} (log: {log_path.relative_to(REPO)})")
    elif rc == 0:
        row.update(result="passed", why=f"{sc['lifecycle']} lifecycle")
    else:
        text = log_path.read_text(errors="replace")
        why = (f"timed out after {args.timeout}s" if rc == "timeout" else failure_reason(text))
        row.update(result="failed", why=f"{why} (log: {log_path.relative_to(REPO)})")
    return row


def deprecation_warnings(log: str) -> list:
    """The distinct [DEPRECATION WARNING] messages ansible printed in a scenario log."""
    found = []
    for line in ANSI.sub("", log).splitlines():
        m = DEPRECATION.search(line)
        if m and m.group(1).strip() not in found:
            found.append(m.group(1).strip())
    return found


def run_logged(cmd: list, env: dict, fh, t0: float, timeout: int):
    """Run cmd, each output line prefixed with the seconds since t0 -> (rc or 'timeout', cpu s)."""
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace",
                            start_new_session=True)
    deadline = t0 + timeout
    timed_out = False
    for line in proc.stdout:
        fh.write(f"[{time.monotonic() - t0:7.1f}] {line}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, 15)
            timed_out = True
            break
    # wait4: the CPU time of molecule and everything it ran on the controller (ansible-playbook,
    # podman CLI), a measure that does not depend on what else loads the machine.
    status, usage = os.wait4(proc.pid, 0)[1:]
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = round(usage.ru_utime + usage.ru_stime, 1)
    return ("timeout" if timed_out else proc.returncode), cpu


# molecule without a terminal: "INFO     [debian12 > converge] Executing" / "... Executed: Failed"
STEP_LINE = re.compile(r"^\[\s*([\d.]+)\] \w+\s+\[[^ \]]+ (?:>|➜) (\w+)\] (Executing|Executed)")


def step_times(log_path: Path) -> dict:
    """Seconds per molecule step, from the timestamped log."""
    start, out = {}, {}
    for line in log_path.read_text(errors="replace").splitlines():
        m = STEP_LINE.match(ANSI.sub("", line))
        if not m:
            continue
        t, step, what = float(m.group(1)), m.group(2), m.group(3)
        if what == "Executing":
            start[step] = t
        elif step in start:
            out[step] = round(out.get(step, 0) + t - start.pop(step), 1)
    return out


def cleanup_local_collections() -> None:
    """molecule must test the source tree: never leave a copy of the collection behind."""
    for path in (REPO / ".ansible", Path.home() / ".ansible" / "collections" / "ansible_collections" / "asr"):
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)


def table(rows: list) -> str:
    head = ["scenario", "distro", "token", "controller", "result", "wall s", "cpu s", "why"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for dummy in head) + "|"]
    for r in rows:
        cells = [r["name"], r["description"], r["token"], f"ansible-core {r['controller']}",
                 r["result"].upper(), f"{r['seconds']:.0f}" if r["seconds"] else "-",
                 f"{r['cpu']:.0f}" if r.get("cpu") else "-", r["why"]]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def step_table(rows: list) -> str:
    steps = ["destroy", "create", "prepare", "converge", "idempotence", "verify", "side_effect"]
    lines = ["| scenario | " + " | ".join(steps) + " |", "|" + "|".join("---" for dummy in range(len(steps) + 1)) + "|"]
    for r in rows:
        if r.get("steps"):
            lines.append(f"| {r['name']} | " + " | ".join(f"{r['steps'].get(s, 0):.0f}" for s in steps) + " |")
    return "\n".join(lines)


def select(args) -> list:
    all_sc = scenarios()
    if args.only:
        known = {s["name"] for s in all_sc}
        unknown = [n for n in args.only if n not in known]
        if unknown:
            raise SystemExit(f"unknown scenario(s) {unknown}; known: {', '.join(sorted(known))}")
        return [s for s in all_sc if s["name"] in args.only]
    if args.set == "required":
        return [s for s in all_sc if s["group"] == "required"]
    return all_sc


RUN_LOCK = Path("/run/lock/asr-lab-scenarios.lock")


@contextlib.contextmanager
def machine_run_lock():
    """One scenario run per machine (the host containers have fixed names). Holding this lock
    also proves that scenario hosts and services found now are leftovers of a run that was killed
    (a stopped session, a CI job cut off): they are removed before anything starts."""
    RUN_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(RUN_LOCK, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            raise SystemExit(f"another scenario run holds {RUN_LOCK} ({fh.read().strip()}); "
                             f"wait for it or stop it") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} checkout {REPO}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def remove_leftovers() -> None:
    stale = scenario_instances(all_states=True)
    for name in stale:
        lab.podman("rm", "-f", "-t", "0", name, check=False, quiet=True)
    if stale:
        loud(f"removed scenario hosts left by an earlier, interrupted run: {', '.join(stale)}")
    for name in (CS_NAME, MIRROR_NAME):
        owner = service_owner(name)
        if owner is not None and owner != str(REPO):
            lab.podman("rm", "-f", "-t", "0", name, check=False, quiet=True)
            say(f"removed {name} of {owner or 'another checkout'}")


def cmd_run(args) -> int:
    chosen = select(args)
    if not chosen:
        raise SystemExit("no scenarios selected")
    if args.controller:
        chosen = [dict(sc, controller=args.controller) if sc["controller"] == MAIN else sc
                  for sc in chosen]
    with machine_run_lock():
        remove_leftovers()
        assemble_group_vars()
        return run_chosen(chosen, args)


def run_chosen(chosen: list, args) -> int:
    t0 = time.monotonic()
    say(f"scenarios ({len(chosen)}, {args.jobs} at a time): {', '.join(s['name'] for s in chosen)}")
    rows = {}
    # the full lifecycles take longest: start them first so parallel runs end together
    order = sorted(chosen, key=lambda s: s["lifecycle"] != "full")
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_one, sc, args): sc for sc in order}
        for fut in concurrent.futures.as_completed(futures):
            sc = futures[fut]
            try:
                row = fut.result()
            except Exception as exc:  # noqa: BLE001 - one broken scenario must not hide the others
                row = dict(sc, result="failed", why=f"runner error: {exc}", seconds=0.0, cpu=0.0,
                           steps={})
            rows[sc["name"]] = row
            say(f"  {row['result'].upper():8} {sc['name']:18} {row['seconds']:6.0f}s  {row['why']}")
    ordered = [rows[s["name"]] for s in chosen]
    total = time.monotonic() - t0
    if not args.keep_services:
        services_down(force=False)
    md = table(ordered)
    steps_md = step_table(ordered)
    counts = {k: sum(1 for r in ordered if r["result"] == k) for k in ("passed", "failed", "skipped")}
    cpu = sum(r.get("cpu") or 0 for r in ordered)
    summary = (f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped "
               f"in {total / 60:.1f} min wall ({args.jobs} at a time; controller CPU {cpu / 60:.1f} min; "
               f"load average at the end {os.getloadavg()[0]:.1f})")
    legend = "\n".join(f"- **{k}** lifecycle: {v}" for k, v in LIFECYCLE.items())
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "results.md").write_text(
        f"{md}\n\n{summary}\n\n{legend}\n\nSeconds per molecule step:\n\n{steps_md}\n")
    results = {"rows": ordered, "summary": summary, "seconds": round(total, 1)}
    (STATE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{md}\n\n{summary}\n{legend}\n(build/scenarios/results.md)", flush=True)
    if os.environ.get("ASR_SUITE_COUNTS"):   # make test's summary table
        with open(os.environ["ASR_SUITE_COUNTS"], "a") as fh:
            fh.write(f"{counts['passed']} {counts['skipped']} {counts['failed']}\n")
    skipped = [r["name"] for r in ordered if r["result"] == "skipped"]
    if skipped:
        loud(f"SKIPPED: {', '.join(skipped)} (reasons in the table)")
    return 1 if counts["failed"] else 0


def cmd_list(args) -> int:
    for s in scenarios():
        print(f"{s['name']:18} {s['group']:9} {s['image']:38} {s['token']:16} "
              f"core {s['controller']}  {s['lifecycle']:5} {s['description']}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 1)[1])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list the scenarios")
    run = sub.add_parser("run", help="run scenarios and print the table")
    run.add_argument("--set", choices=("required", "all"), default="required")
    run.add_argument("--only", nargs="+", metavar="NAME")
    run.add_argument("--jobs", type=int, default=int(os.environ.get("ASR_SCENARIO_JOBS", "2")))
    run.add_argument("--controller", choices=sorted(VENVS), default=None,
                     help="run the chosen scenarios that the main controller manages on this "
                          "ansible-core line's venv instead (e.g. 2.19: .venv219)")
    run.add_argument("--timeout", type=int, default=1200, help="seconds per scenario")
    run.add_argument("--keep-services", action="store_true",
                     help="leave the scenario CS and mirror running afterwards")
    svc = sub.add_parser("services", help="make sure the scenario CS and mirror run")
    svc.add_argument("--token", action="append", help="build the installer doubles of this token")
    svc.add_argument("--version", action="append", help="double versions to build")
    svc.add_argument("--down", action="store_true", help="remove the two service containers")
    args = ap.parse_args(argv)
    os.environ.setdefault("CONTAINERS_CONF", str(lab.CONTAINERS_CONF))
    return {"list": cmd_list, "run": cmd_run, "services": cmd_services}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
