# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet rollout cost of playbooks/deploy_mobility.yml against the floor (`make bench`).

  .venv/bin/python benchmarks/bench.py [--sizes 10 50 200] [--forks 10] [--source controller|url]
  .venv/bin/python benchmarks/bench.py ab --sizes 50 --collections-b DIR   (before/after: rerun A vs B)
  .venv/bin/python benchmarks/bench.py probe-podman --sizes 10 50   (the floor on podman containers)
  .venv/bin/python benchmarks/bench.py task-cost --sizes 50          (controller cost of one task per host)
  .venv/bin/python benchmarks/bench.py windows-calls                 (only the Windows converged rerun's calls)

For every N a lab of N cheap hosts is built: one overlayfs per host over a shared Debian 12 root
(exported from the lab image localhost/asr-lab:debian12), with /proc and /dev mounted, driven by
Ansible's community.general.chroot connection (benchmarks/plugins/connection/bench_chroot.py:
the same connection, plus one log line per command and file transfer). The installer double,
the fake configuration server (127.0.0.1) and an installer mirror (127.0.0.1) are the lab's own.
Then, side by side on the same hosts and with the same settings (forks, pipelining):

  floor   benchmarks/floor.yml: the deploy playbook's fact gathering plus one ansible.builtin.ping
  first   playbooks/deploy_mobility.yml on fresh hosts (install + register)
  rerun   playbooks/deploy_mobility.yml again (converged: must change nothing)

Figures per phase: wall time, ratio to the floor, CPU seconds (controller and hosts share this
machine), task results and module round trips per host (callback bench_tasks), commands and
file transfers per host (connection log), installer executions per host (the double's
/var/log/asr-double/runs.log in every host), installer bytes per host (files put through the
connection + bytes the mirror served), the controller's peak memory (sum of PSS and RSS of the
ansible-playbook processes, sampled every 0.1 s) and the load average. Results: a Markdown table
on stdout and in build/bench/results-<time>.{md,json}.

Everything runs in a private mount namespace (unshare --mount): the mounts disappear with the
process even when it is killed. Root only; Python 3 stdlib plus the venv's ansible.
"""
from __future__ import annotations

import argparse
import datetime
import http.server
import functools
import json
import os
import platform
import secrets
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# The lab's dmidecode stand-in: each chroot host's system UUID (modernized registration).
DMIDECODE = REPO / "tests" / "lab" / "files" / "dmidecode"
VENV_BIN = REPO / ".venv" / "bin"
BUILD = REPO / "build" / "bench"
CACHE = Path(os.environ.get("ASR_BENCH_CACHE", "/var/cache/asr-bench"))
IMAGE = "localhost/asr-lab:debian12"
TOKEN = "DEBIAN12-64"
VERSIONS = ("9.65.7411.1", "9.66.7567.1")
EXPECTED_VERSION = "9.66.7567"          # state=latest (inventories/lab/group_vars) picks 9.66
GROUP = "asr_mobility"
DEPLOY = REPO / "playbooks" / "deploy_mobility.yml"
FLOOR = HERE / "floor.yml"
PHASES = ("floor", "first", "rerun")
# Task actions that never reach the host (run in the worker on the controller).
CONTROLLER_ACTIONS = {
    "set_fact", "assert", "fail", "debug", "include_tasks", "import_tasks", "include_role", "import_role",
    "meta", "add_host", "group_by", "include_vars", "set_stats", "pause", "validate_argument_spec",
}
FACT_ACTIONS = {"gather_facts", "setup"}
NS_MARK = "ASR_BENCH_IN_NAMESPACE"


def say(msg: str) -> None:
    print(msg, flush=True)


def short(action: str) -> str:
    return action.rsplit(".", 1)[-1]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(cmd, **kw) -> subprocess.CompletedProcess:
    check = kw.pop("check", True)
    return subprocess.run([str(c) for c in cmd], check=check, **kw)


# ------------------------------------------------------------------------------------- machine
def machine() -> dict:
    mem = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, value = line.split(":", 1)
        mem[key] = int(value.split()[0])
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ver = subprocess.run([VENV_BIN / "ansible-playbook", "--version"], capture_output=True, text=True,
                         check=False).stdout.splitlines()
    return {"cores": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem["MemTotal"] / 1048576, 1),
            "mem_available_gib": round(mem["MemAvailable"] / 1048576, 1), "kernel": platform.release(),
            "ansible": ver[0] if ver else "?", "python": platform.python_version()}


# ----------------------------------------------------------------------------------- base root
def base_rootfs() -> Path:
    """Debian 12 root exported from the lab image (cached per image id, outside the repo)."""
    inspect = subprocess.run(["podman", "image", "inspect", "--format", "{{.Id}}", IMAGE],
                             capture_output=True, text=True, check=False)
    if inspect.returncode != 0:
        say(f"building {IMAGE} (tests/lab/images/build.py --only debian12)")
        run([sys.executable, REPO / "tests/lab/images/build.py", "--only", "debian12"])
        inspect = run(["podman", "image", "inspect", "--format", "{{.Id}}", IMAGE], capture_output=True, text=True)
    image_id = inspect.stdout.strip()[:12]
    root = CACHE / f"rootfs-debian12-{image_id}"
    if (root / "usr/bin/python3").exists():
        return root
    say(f"exporting {IMAGE} ({image_id}) to {root}")
    tmp = CACHE / f"tmp-{image_id}-{os.getpid()}"
    tmp.mkdir(parents=True)
    cid = run(["podman", "create", "--runtime", "runc", IMAGE, "true"], capture_output=True, text=True).stdout.strip()
    try:
        with subprocess.Popen(["podman", "export", cid], stdout=subprocess.PIPE) as exporter:
            run(["tar", "-x", "-C", tmp], stdin=exporter.stdout)
    finally:
        run(["podman", "rm", cid], capture_output=True, check=False)
    tmp.rename(root)
    return root


# ---------------------------------------------------------------------------------------- lab
class Lab:
    """N overlay roots over one lower directory; each with its own upper dir, /proc and /dev."""

    def __init__(self, lower: Path, base: Path, n: int, converged: Path = None):
        self.lower, self.base, self.n = lower, base, n
        # --converged-sizes: a converged host's upper directory as a second lower layer, so that N hosts
        # start as that host ended (agent installed and registered) without N first deploys.
        self.converged = converged
        self.hosts = [f"h{i:03d}" for i in range(1, n + 1)]

    def root(self, host: str) -> Path:
        return self.base / host / "root"

    def up(self) -> float:
        started = time.monotonic()
        if self.base.exists():
            shutil.rmtree(self.base)
        for host in self.hosts:
            top = self.base / host
            for sub in ("upper", "work", "root"):
                (top / sub).mkdir(parents=True)
            root = self.root(host)
            lowers = f"{self.converged}:{self.lower}" if self.converged else f"{self.lower}"
            run(["mount", "-t", "overlay", "overlay", "-o",
                 f"lowerdir={lowers},upperdir={top / 'upper'},workdir={top / 'work'}", root])
            run(["mount", "-t", "proc", "proc", root / "proc"])
            run(["mount", "--bind", "/dev", root / "dev"])
            (root / "etc/hostname").write_text(host + "\n")
            # Each host's own system UUID, the modernized agent's identity (BiosId): the lab's dmidecode
            # stand-in reads /etc/machine-id (this machine has no DMI table to share).
            (root / "etc/machine-id").write_text(secrets.token_hex(16) + "\n")
            shutil.copy(DMIDECODE, root / "usr/sbin/dmidecode")
        return time.monotonic() - started

    def processes(self) -> list:
        """Processes running inside this lab's roots (the double's svagents loops)."""
        found, prefix = [], str(self.base) + "/"
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.readlink(f"/proc/{entry}/root").startswith(prefix):
                        found.append(int(entry))
                except OSError:
                    continue
        return found

    def down(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = self.processes()
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            if pids:
                time.sleep(0.5)
        for host in self.hosts:
            root = self.root(host)
            for mnt in (root / "dev", root / "proc", root):
                subprocess.run(["umount", mnt], check=False, capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)

    def disk_kib(self) -> int:
        total = 0
        for host in self.hosts:
            for dirpath, _dirs, files in os.walk(self.base / host / "upper"):
                for name in files:
                    try:
                        total += os.lstat(os.path.join(dirpath, name)).st_blocks // 2
                    except OSError:
                        pass
        return total

    def runs(self) -> dict:
        """Vendor program runs per program name, over every host's runs.log."""
        counts = {}
        for host in self.hosts:
            log = self.root(host) / "var/log/asr-double/runs.log"
            if log.is_file():
                for line in log.read_text().splitlines():
                    parts = line.split()
                    if len(parts) > 1:
                        counts[parts[1]] = counts.get(parts[1], 0) + 1
        return counts

    def states(self) -> dict:
        """host -> (installed version, registered CS address) read from the host's files."""
        out = {}
        for host in self.hosts:
            root = self.root(host)
            vx = root / "usr/local/.vx_version"
            version = status = cs = ""
            if vx.is_file():
                values = dict(line.split("=", 1) for line in vx.read_text().splitlines() if "=" in line)
                tag = values.get("BUILD_TAG", "").split("_")
                # BUILD_TAG=RELEASE_9.66.0.0_GA_7567_...: the build is the 4th field of the value.
                version = values.get("VERSION", "").rsplit(".", 2)[0] + (f".{tag[3]}" if len(tag) > 3 else "")
                status = values.get("AGENT_CONFIGURATION_STATUS", "")
                conf = root / values.get("INSTALLATION_DIR", "/usr/local/ASR/Vx").lstrip("/") / "etc/drscout.conf"
                if conf.is_file():
                    for line in conf.read_text().splitlines():
                        if line.startswith("Hostname="):
                            cs = line.split("=", 1)[1]
            out[host] = (version, status, cs)
        return out


# ------------------------------------------------------------------------------------ services
class Mirror(http.server.SimpleHTTPRequestHandler):
    """The installer mirror: a directory over HTTP on 127.0.0.1, counting bytes per path."""
    served: dict = {}
    lock = threading.Lock()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def do_GET(self):
        path = self.translate_path(self.path)
        size = os.path.getsize(path) if os.path.isfile(path) else 0
        with self.lock:
            hits, nbytes = self.served.get(self.path, (0, 0))
            self.served[self.path] = (hits + 1, nbytes + size)
        super().do_GET()


class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def start_mirror(directory: Path) -> tuple:
    handler = functools.partial(Mirror, directory=str(directory))
    server = ThreadingServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def start_cs(passphrase_file: Path, state_dir: Path) -> tuple:
    if state_dir.exists():
        shutil.rmtree(state_dir)
    state_dir.mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, REPO / "tests/lab/fake_cs/server.py", "--bind", "127.0.0.1", "--port", "0",
                             "--passphrase-file", passphrase_file, "--state-dir", state_dir, "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = state_dir / "server.json"
        if info.is_file():
            try:
                return proc, json.loads(info.read_text())["port"]
            except (ValueError, KeyError):
                pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the fake configuration server did not start")


def cs_registrations(state_dir: Path) -> int:
    path = state_dir / "registrations.json"
    if not path.is_file():
        return 0
    data = json.loads(path.read_text())
    regs = data.get("registrations", data) if isinstance(data, dict) else data
    return len(regs)


def prepare_installers(directory: Path) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for version in VERSIONS:
        run([sys.executable, REPO / "tests/lab/double/build_installer.py", "--version", version, "--token", TOKEN,
             "--out-dir", directory], stdout=subprocess.DEVNULL)
    sums = run(["sha256sum"] + sorted(p.name for p in directory.glob("Microsoft-ASR_UA_*")), cwd=directory,
               capture_output=True, text=True).stdout
    (directory / "SHA256SUMS").write_text(sums)


def vault_passphrase(target: Path) -> None:
    out = run([VENV_BIN / "ansible-vault", "view", REPO / "inventories/lab/group_vars/asr_mobility/vault.yml"],
              capture_output=True, text=True, env=ansible_env({})).stdout
    value = next(line.split(":", 1)[1].strip() for line in out.splitlines()
                 if line.startswith("vault_asr_mobility_passphrase:"))
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value.strip("'\"") + "\n")


# ------------------------------------------------------------------------------------ ansible
def ansible_env(extra: dict) -> dict:
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / "build" / "collections"),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "true",
        "ANSIBLE_VAULT_PASSWORD_FILE": str(REPO / "inventories/lab/vault-password.lab"),
        "ANSIBLE_CONNECTION_PLUGINS": str(HERE / "plugins" / "connection"),
        "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "plugins" / "callback"),
        "ANSIBLE_CALLBACKS_ENABLED": "bench_tasks",
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "ANSIBLE_FORCE_COLOR": "false",
        "ANSIBLE_NOCOLOR": "true",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "PATH": f"{VENV_BIN}:{env.get('PATH', '')}",
    })
    env.update(extra)
    return env


def write_inventory(directory: Path, lab: Lab, cs_port: int, mirror_url: str, appliance: str = "") -> Path:
    """hosts.yml plus group_vars -> inventories/lab/group_vars (the lab's settings and vault)."""
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "group_vars").mkdir(parents=True)
    (directory / "group_vars" / GROUP).symlink_to(REPO / "inventories/lab/group_vars" / GROUP)
    lines = ["# Generated by benchmarks/bench.py", "all:", "  vars:",
             "    ansible_connection: bench_chroot",
             "    ansible_python_interpreter: /usr/bin/python3",
             "    asr_lab_cs_address: 127.0.0.1",
             f"    asr_lab_cs_port: {cs_port}",
             f"    asr_lab_cs_url: http://127.0.0.1:{cs_port}",
             f"    asr_lab_mirror_url: {json.dumps(mirror_url)}",
             "  children:", f"    {GROUP}:", "      hosts:"]
    for host in lab.hosts:
        lines += [f"        {host}:", f"          ansible_host: {json.dumps(str(lab.root(host)))}"]
    if appliance:  # tests/lab/appliance.py's stand-in Windows host (reached with the local connection)
        lines += ["    replication_appliances:", "      hosts:", "        appliance:",
                  "          ansible_connection: local",
                  f"          ansible_python_interpreter: {json.dumps(appliance)}",
                  "          asr_mobility_os_family: Windows"]
    (directory / "hosts.yml").write_text("\n".join(lines) + "\n")
    return directory / "hosts.yml"


def gather_subset() -> list:
    """The facts the deploy gathers (its play's gather_subset, or, when the play gathers none, the
    role's full-path gather_facts task); the floor must gather the same facts."""
    import yaml  # pylint: disable=import-outside-toplevel  # the venv's PyYAML
    play = yaml.safe_load(DEPLOY.read_text())[0]
    if play.get("gather_facts", True):
        deploy = play.get("gather_subset") or ["all"]
    else:
        tasks = yaml.safe_load((REPO / "roles/mobility_service/tasks/rollout.yml").read_text())
        deploy = next((t["ansible.builtin.gather_facts"].get("gather_subset") for t in tasks
                       if "ansible.builtin.gather_facts" in t), None) or ["all"]
    floor = yaml.safe_load(FLOOR.read_text())[0].get("gather_subset") or ["all"]
    if deploy != floor:
        raise SystemExit(f"{FLOOR} gathers {floor} but {DEPLOY} gathers {deploy}: make them the same")
    return deploy


class Sampler(threading.Thread):
    """Peak memory of the ansible-playbook processes (the controller: main process + forks).

    Workers call setsid(), so they are found as children of the main process whose command line
    is ansible-playbook's; what they start (chroot, modules on the hosts) is not the controller."""

    def __init__(self, pgid: int):
        super().__init__(daemon=True)
        self.pgid, self.stop = pgid, threading.Event()
        self.peak_pss = self.peak_rss = self.peak_main = self.peak_procs = 0

    @staticmethod
    def _mem(pid: str) -> tuple:
        rss = pss = 0
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
        return rss, pss

    def pids(self) -> list:
        found = [str(self.pgid)]
        try:
            for tid in os.listdir(f"/proc/{self.pgid}/task"):
                with open(f"/proc/{self.pgid}/task/{tid}/children", encoding="ascii") as handle:
                    found += handle.read().split()
        except OSError:
            pass
        return found

    def sample(self) -> None:
        rss_sum = pss_sum = procs = 0
        for entry in self.pids():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if b"ansible-playbook" not in handle.read():
                        continue
                rss, pss = self._mem(entry)
            except (OSError, IndexError, ValueError):
                continue
            procs += 1
            rss_sum += rss
            pss_sum += pss
            if int(entry) == self.pgid:
                self.peak_main = max(self.peak_main, rss)
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss_sum), max(self.peak_pss, pss_sum)
        self.peak_procs = max(self.peak_procs, procs)

    def run(self) -> None:
        while not self.stop.wait(0.1):
            self.sample()


def run_phase(name: str, playbook: Path, inventory: Path, workdir: Path, args, extra_vars: list,
              collections: str = "") -> dict:
    events, tasks, log = workdir / f"{name}.events.jsonl", workdir / f"{name}.tasks.json", workdir / f"{name}.log"
    for path in (events, tasks):
        path.unlink(missing_ok=True)
    env = ansible_env({"BENCH_EVENTS": str(events), "BENCH_TASKS": str(tasks),
                       "ANSIBLE_PIPELINING": "false" if args.no_pipelining else "true",
                       "ANSIBLE_FORKS": str(args.forks)})
    if collections:
        env["ANSIBLE_COLLECTIONS_PATH"] = collections
    if getattr(args, "standin_tree", ""):  # modernized: the appliance's stand-in ansible.windows first
        env["ANSIBLE_COLLECTIONS_PATH"] = args.standin_tree + ":" + env["ANSIBLE_COLLECTIONS_PATH"]
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    for value in extra_vars:
        cmd += ["-e", value]
    load_before = loadavg()
    with open(log, "w", encoding="utf-8") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        sampler = Sampler(proc.pid)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
    rc = os.waitstatus_to_exitcode(status)
    return {"phase": name, "rc": rc, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_pss_mib": sampler.peak_pss / 1024, "peak_rss_mib": sampler.peak_rss / 1024,
            "peak_main_rss_mib": sampler.peak_main / 1024, "peak_procs": sampler.peak_procs,
            "load_before": load_before, "load_after": loadavg(),
            "events": [json.loads(line) for line in events.read_text().splitlines()] if events.is_file() else [],
            "tasks": json.loads(tasks.read_text()) if tasks.is_file() else [], "log": str(log)}


def summarise(result: dict, lab: Lab, runs_delta: dict, mirror_bytes: int, mirror_installer_hits: int) -> dict:
    n = lab.n
    hosts = set(lab.hosts)
    rows = [t for t in result["tasks"] if t["host"] in hosts]
    on_host = [t for t in rows if t["status"] != "skipped" and short(t["action"]) not in CONTROLLER_ACTIONS
               and not t.get("delegated_to")]
    facts = [t for t in on_host if short(t["action"]) in FACT_ACTIONS]
    delegated = [t for t in rows if t["status"] != "skipped" and t.get("delegated_to")]
    execs = [e for e in result["events"] if e["op"] == "exec"]
    puts = [e for e in result["events"] if e["op"] == "put"]
    per_task = {}
    for t in on_host:
        per_task[t["task"]] = per_task.get(t["task"], 0) + 1
    failed = sorted({t["host"] for t in rows if t["status"] in ("failed", "unreachable")})
    changed = sorted({t["host"] for t in rows if t["changed"] and short(t["action"]) not in CONTROLLER_ACTIONS})
    out = {k: result[k] for k in ("phase", "rc", "wall", "cpu", "peak_pss_mib", "peak_rss_mib", "peak_main_rss_mib",
                                  "peak_procs", "load_before", "load_after", "log")}
    out.update({
        "n": n, "wall_ms_per_host": 1000 * result["wall"] / n, "cpu_s_per_host": result["cpu"] / n,
        "task_results_per_host": len(rows) / n,
        "module_round_trips_per_host": len(on_host) / n,
        "module_round_trips_beyond_facts_per_host": (len(on_host) - len(facts)) / n,
        "controller_side_module_runs_per_host": len(delegated) / n,
        "connection_commands_per_host": len(execs) / n,
        "connection_transfers_per_host": len(puts) / n,
        "bytes_put_per_host": sum(e["bytes"] for e in puts) / n,
        "mirror_bytes_per_host": mirror_bytes / n,
        "mirror_installer_downloads_per_host": mirror_installer_hits / n,
        "installer_bytes_per_host": (sum(e["bytes"] for e in puts) + mirror_bytes) / n,
        "vendor_runs_per_host": {k: v / n for k, v in sorted(runs_delta.items())},
        "failed_hosts": failed, "changed_hosts": len(changed),
        "round_trips_by_task": {k: v / n for k, v in sorted(per_task.items(), key=lambda kv: -kv[1])},
    })
    return out


# --------------------------------------------------------------------------------------- report
def fmt_runs(runs: dict) -> str:
    names = {"install": "inst", "configurator": "reg", "uninstall": "uninst"}
    parts = [f"{runs.get(k, 0):g} {v}" for k, v in names.items() if runs.get(k) or k != "uninstall"]
    return ", ".join(parts)


def table(rows: list) -> str:
    head = ("| N | phase | wall s | × floor | ms/host | CPU s/host | tasks/host | module round trips/host "
            "(beyond facts) | commands/host | installer runs/host | installer bytes/host | peak controller PSS MiB "
            "(RSS) | load before→after |")
    lines = [head, "|" + "|".join(["---"] * (head.count("|") - 1)) + "|"]
    floors = {r["n"]: r["wall"] for r in rows if r["phase"] == "floor"}
    for r in rows:
        ratio = r["wall"] / floors[r["n"]] if floors.get(r["n"]) else float("nan")
        ok = "" if r["rc"] == 0 and not r["failed_hosts"] else f" **rc={r['rc']}, failed {len(r['failed_hosts'])}**"
        lines.append(
            f"| {r['n']} | {r['phase']}{' (cloned hosts)' if r.get('cloned') else ''}{ok} | {r['wall']:.1f} | {ratio:.2f} | {r['wall_ms_per_host']:.0f} | "
            f"{r['cpu_s_per_host']:.2f} | {r['task_results_per_host']:.0f} | "
            f"{r['module_round_trips_per_host']:g} ({r['module_round_trips_beyond_facts_per_host']:g}) | "
            f"{r['connection_commands_per_host']:g} | {fmt_runs(r['vendor_runs_per_host'])} | "
            f"{r['installer_bytes_per_host']:,.0f} | {r['peak_pss_mib']:.0f} ({r['peak_rss_mib']:.0f}) | "
            f"{r['load_before'].split()[0]}→{r['load_after'].split()[0]} |")
    return "\n".join(lines)


def checks(rows: list) -> list:
    """The issue's targets, each as (text, passed)."""
    out = []
    for r in rows:
        n, phase = r["n"], r["phase"]
        floor = next(x for x in rows if x["n"] == n and x["phase"] == "floor")
        if phase == "first":
            runs = r["vendor_runs_per_host"]
            transfers = r["connection_transfers_per_host"] + r["mirror_installer_downloads_per_host"]
            # classic: the fake CS saw every host; modernized (the appliance's configs, no CS): every host
            # reads back registered at the expected version
            if r.get("control_plane") == "modernized":
                seen, seen_ok = f"registered on the host {r.get('hosts_at_expected_version', 0)}", \
                    r.get("hosts_at_expected_version") == n
            else:
                seen, seen_ok = f"CS saw {r.get('cs_registrations', 0)} hosts", r.get("cs_registrations") == n
            out.append((f"N={n} first: one transfer, one install, one registration per host "
                        f"(transfers {transfers:g}, installs {runs.get('install', 0):g}, "
                        f"registrations {runs.get('configurator', 0):g}, {seen})",
                        transfers == 1 and runs.get("install") == 1 and runs.get("configurator") == 1
                        and seen_ok and r["rc"] == 0))
        if phase == "staged":
            runs = r["vendor_runs_per_host"]
            out.append((f"N={n} staged (host already holds the bytes): 0 transfers "
                        f"({r['connection_transfers_per_host'] + r['mirror_installer_downloads_per_host']:g}), "
                        f"0 installer bytes ({r['installer_bytes_per_host']:g}), one install "
                        f"({runs.get('install', 0):g}) and one registration ({runs.get('configurator', 0):g})",
                        r["installer_bytes_per_host"] == 0 and runs.get("install") == 1
                        and runs.get("configurator") == 1 and r["rc"] == 0))
        if phase == "rerun":
            ratio = r["wall"] / floor["wall"]
            out.append((f"N={n} rerun: 0 installer runs ({sum(r['vendor_runs_per_host'].values()):g}), "
                        f"0 bytes ({r['installer_bytes_per_host']:g}), round trips beyond facts "
                        f"{r['module_round_trips_beyond_facts_per_host']:g} ≤ 2, {r['changed_hosts']} hosts changed",
                        not any(r["vendor_runs_per_host"].values()) and r["installer_bytes_per_host"] == 0
                        and r["module_round_trips_beyond_facts_per_host"] <= 2 and r["changed_hosts"] == 0
                        and r["rc"] == 0))
            out.append((f"N={n} rerun: wall {ratio:.2f}× the floor (target ≤ 1.3)", ratio <= 1.3))
    for phase in PHASES:
        per_host = [(r["n"], r["wall_ms_per_host"], r["cpu_s_per_host"]) for r in rows if r["phase"] == phase]
        if len(per_host) > 1:
            walls = [w for _n, w, _c in per_host]
            cpus = [c for _n, _w, c in per_host]
            spread = max(walls) / min(walls)
            out.append((f"{phase}: per-host wall " + ", ".join(f"N={n} {w:.0f} ms" for n, w, _c in per_host)
                        + f" (max/min {spread:.2f}); CPU/host max/min {max(cpus) / min(cpus):.2f}", spread <= 1.25))
    return out


# The targets (issue 16): (phase, what, measure(row, floor row) -> value, limit, format).
TARGETS = (
    ("rerun", "converged rerun (Linux): module round trips per host, facts included",
     lambda r, f: r["module_round_trips_per_host"], 1, "{:g}"),
    ("rerun", "converged rerun (Linux): wall × the facts+ping floor",
     lambda r, f: r["wall"] / f["wall"], 0.7, "{:.2f}"),
    ("rerun", "converged rerun (Linux): installer runs + installer bytes per host",
     lambda r, f: sum(r["vendor_runs_per_host"].values()) + r["installer_bytes_per_host"], 0, "{:g}"),
    ("first", "first deploy (Linux): module round trips per host",
     lambda r, f: r["module_round_trips_per_host"], 4, "{:g}"),
    ("first", "first deploy (Linux): task results per host",
     lambda r, f: r["task_results_per_host"], 15, "{:.1f}"),
)
WINDOWS_TARGET = ("converged rerun (Windows): module round trips per host", 2)


def windows_converged_calls(calls=None) -> int:
    """The Windows converged rerun's module round trips per host, counted on the contract harness's
    stand-in host (tests/contract/scenarios/converged.yml through playbooks/deploy_mobility.yml):
    every ansible.windows call is one module round trip to a real host. Raises when the run fails.
    ``calls``: a list that receives each call, "module arg" (for the by-call listing)."""
    import tempfile  # pylint: disable=import-outside-toplevel
    sys.path.insert(0, str(REPO / "tests" / "contract"))
    import harness  # pylint: disable=import-outside-toplevel
    scenario = harness.load_scenario(str(REPO / "tests" / "contract" / "scenarios" / "converged.yml"))
    BUILD.mkdir(parents=True, exist_ok=True)
    work = tempfile.mkdtemp(prefix="bench-windows-", dir=str(BUILD))
    result = harness.run(scenario, "playbooks/deploy_mobility.yml", work)
    if result["rc"] != 0:
        raise RuntimeError("the Windows converged contract run failed: %s" % result["output"][-2000:])
    for call in result["calls"] if calls is not None else []:
        args = call["args"]
        calls.append("%s %s" % (call["module"], args.get("path") or args.get("src") or args.get("script") or ""))
    return len(result["raw"])


def windows_calls_only() -> int:
    """``bench.py windows-calls``: the Windows converged rerun's count and its calls, without the lab."""
    calls = []
    count = windows_converged_calls(calls)
    what, limit = WINDOWS_TARGET
    print(f"{what}: {count} (target <= {limit}: {'met' if count <= limit else 'missed'})")
    for call in calls:
        print(f"  {call}")
    return 0 if count <= limit else 1


def targets(rows: list, windows_calls=None) -> list:
    """One row per target and N: (target, N, measured, limit, 'met' | 'missed' | 'not measured');
    ``windows_calls``: the Windows converged rerun's calls (``windows_converged_calls``), or why not."""
    out = []
    for phase, what, measure, limit, fmt in TARGETS:
        for r in rows:
            if r["phase"] != phase:
                continue
            floor = next((x for x in rows if x["n"] == r["n"] and x["phase"] == "floor"), None)
            if floor is None and "floor" in what:
                out.append((what, r["n"], "no floor in this run", f"≤ {limit:g}", "not measured"))
                continue
            value = measure(r, floor)
            ok = value <= limit and r["rc"] == 0 and not r["failed_hosts"]
            out.append((what, r["n"], fmt.format(value), f"≤ {limit:g}", "met" if ok else "missed"))
    what, limit = WINDOWS_TARGET
    if isinstance(windows_calls, int):
        out.append((what, "1 (contract stand-in)", f"{windows_calls}", f"≤ {limit}",
                    "met" if windows_calls <= limit else "missed"))
    else:
        out.append((what, "-", windows_calls or "not run", f"≤ {limit}", "not measured"))
    return out


def targets_table(rows: list, windows_calls=None) -> str:
    lines = ["| target | N | measured | target value | result |", "|---|---|---|---|---|"]
    lines += [f"| {what} | {n} | {value} | {limit} | {verdict} |"
              for what, n, value, limit, verdict in targets(rows, windows_calls)]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- main
class Bench:
    """The services every lab shares (base root, installers, fake CS, mirror) and one measurement."""

    def __init__(self, args):
        if os.geteuid() != 0:
            raise SystemExit("bench.py needs root (mounts, chroot)")
        if not (VENV_BIN / "ansible-playbook").exists():
            raise SystemExit("no .venv: run `make venv collection` first")
        if not (REPO / "build/collections/ansible_collections/asr/mobility").exists():
            raise SystemExit("no build/collections: run `make collection` first")
        self.args = args
        self.stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.work = BUILD / self.stamp
        self.work.mkdir(parents=True)
        self.info = machine()
        self.info["revision"] = revision()
        say(f"machine: {self.info['cores']} cores ({self.info['cpu']}), {self.info['ram_gib']} GiB RAM "
            f"({self.info['mem_available_gib']} GiB available), kernel {self.info['kernel']}, {self.info['ansible']}; "
            f"load {loadavg()}; {self.info['revision']}")
        self.lower = base_rootfs()
        self.installers = BUILD / "installers"
        prepare_installers(self.installers)
        passphrase = BUILD / "cs.passphrase"
        vault_passphrase(passphrase)
        self.cs_state = BUILD / "cs-state"
        self.cs_proc, self.cs_port = start_cs(passphrase, self.cs_state)
        self.mirror, self.mirror_url = start_mirror(self.installers)
        self.extra = []
        if args.source == "controller":
            self.extra = ["mobility_service_installer_source=controller",
                          f"mobility_service_installer_dir={self.installers}"]
        self.appliance_python = ""
        args.standin_tree = ""
        if args.control_plane == "modernized":
            sys.path.insert(0, str(REPO / "tests" / "lab"))
            import appliance as lab_appliance  # pylint: disable=import-outside-toplevel
            args.standin_tree = lab_appliance.up(str(self.work / "appliance"))
            self.appliance_python = str(self.work / "appliance" / "appliance-python")
            self.extra += ["mobility_service_control_plane=modernized", "mobility_service_config_source=appliance",
                           "mobility_service_appliance=appliance"]
            registration = "modernized registration (configs made by the lab's stand-in appliance)"
        else:
            registration = "classic registration (inventories/lab/group_vars)"
        self.settings = (f"forks {args.forks}, pipelining {'off' if args.no_pipelining else 'on'}, strategy linear, "
                         f"installer source {args.source}, gather_subset {gather_subset()}, "
                         f"state latest, {registration}")
        say(f"settings: {self.settings}")

    def close(self) -> None:
        self.mirror.shutdown()
        self.cs_proc.terminate()
        self.cs_proc.wait(timeout=10)

    def lab(self, n: int, converged: Path = None) -> tuple:
        lab = Lab(self.lower, BUILD / "lab", n, converged)
        setup_s = lab.up()
        inventory = write_inventory(BUILD / "inventory", lab, self.cs_port, self.mirror_url, self.appliance_python)
        # A fresh CS per lab: the registrations it saw are this lab's.
        subprocess.run(["curl", "-s", "-X", "DELETE", f"http://127.0.0.1:{self.cs_port}/registrations"],
                       check=False, capture_output=True)
        return lab, inventory, setup_s

    def measure(self, lab: Lab, inventory: Path, phase: str, label: str = "", collections: str = "") -> dict:
        # Each collection with its own deploy playbook (ab: B's playbook may gather facts, A's not).
        own = Path(collections) / "ansible_collections/asr/mobility/playbooks/deploy_mobility.yml" if collections else None
        playbook = FLOOR if phase == "floor" else (own if own and own.is_file() else DEPLOY)
        runs_before = lab.runs()
        Mirror.served.clear()
        result = run_phase(f"n{lab.n}-{label or phase}", playbook, inventory, self.work, self.args,
                           [] if phase == "floor" else self.extra, collections)
        runs_after = lab.runs()
        delta = {k: runs_after.get(k, 0) - runs_before.get(k, 0) for k in set(runs_after) | set(runs_before)}
        installer_hits = sum(h for p, (h, _b) in Mirror.served.items() if "Microsoft-ASR_UA_" in p)
        installer_bytes = sum(b for p, (_h, b) in Mirror.served.items() if "Microsoft-ASR_UA_" in p)
        row = summarise(result, lab, delta, installer_bytes, installer_hits)
        row["phase"] = label or phase
        row["control_plane"] = self.args.control_plane
        if phase in ("first", "staged"):
            row["cs_registrations"] = cs_registrations(self.cs_state)
            row["hosts_at_expected_version"] = sum(1 for v, st, _cs in lab.states().values()
                                                   if v.startswith(EXPECTED_VERSION) and st == "Succeeded")
        say(f"   {row['phase']:8} rc={row['rc']} wall {row['wall']:.1f}s cpu {row['cpu']:.0f}s "
            f"tasks/host {row['task_results_per_host']:g} round trips/host {row['module_round_trips_per_host']:g} "
            f"vendor runs/host {row['vendor_runs_per_host']} bytes/host {row['installer_bytes_per_host']:,.0f} "
            f"peak PSS {row['peak_pss_mib']:.0f} MiB; load {row['load_after']}")
        if row["rc"] != 0:
            say(f"   !! {row['phase']} failed (rc={row['rc']}, failed hosts {row['failed_hosts'][:5]}): see {row['log']}")
        return row

    def write(self, name: str, report: str, data: dict) -> None:
        say("\n" + report)
        (BUILD / f"{name}-{self.stamp}.md").write_text(report + "\n")
        (BUILD / f"{name}-{self.stamp}.json").write_text(json.dumps(data, indent=1) + "\n")
        say(f"\nresults: {BUILD / f'{name}-{self.stamp}.md'} and .json; logs in {self.work}")


def revision() -> str:
    head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "roles/mobility_service", "playbooks",
                            "plugins"], capture_output=True, text=True, check=False).stdout.split("\n")
    dirty = [line[3:] for line in dirty if line.strip()]
    return f"commit {head}" + (f" + uncommitted {', '.join(dirty)}" if dirty else "")


def bench(args) -> int:
    ctx = Bench(args)
    rows = []
    try:
        for n in args.sizes:
            say(f"\n== N={n}: lab up")
            lab, inventory, setup_s = ctx.lab(n)
            say(f"   {n} chroots in {setup_s:.1f}s; load {loadavg()}")
            try:
                for phase in PHASES:
                    row = ctx.measure(lab, inventory, phase)
                    row["lab_setup_s"] = setup_s
                    rows.append(row)
                disk = lab.disk_kib()
                for row in rows[-len(PHASES):]:
                    row["lab_upper_kib_per_host"] = disk / n
                if args.converged_sizes and n == args.sizes[-1]:
                    keep_converged(lab, ctx.work / "converged-layer")
            finally:
                lab.down()
        for n in args.converged_sizes or []:
            # Hosts cloned from a converged one: the rerun (and its floor) at sizes where N first deploys
            # would take too long on this machine. The first deploy is not measured at these sizes.
            say(f"\n== N={n}: lab up, every host a copy of a converged host")
            lab, inventory, setup_s = ctx.lab(n, ctx.work / "converged-layer")
            say(f"   {n} chroots in {setup_s:.1f}s; load {loadavg()}")
            try:
                for phase in ("floor", "rerun"):
                    row = ctx.measure(lab, inventory, phase)
                    row.update(lab_setup_s=setup_s, cloned=True)
                    rows.append(row)
            finally:
                lab.down()
        if not args.no_staged:
            n = min(args.sizes)
            say(f"\n== N={n}: staged (fresh hosts, the installer already in /var/lib/asr-mobility)")
            lab, inventory, setup_s = ctx.lab(n)
            try:
                package = next(ctx.installers.glob(f"Microsoft-ASR_UA_{VERSIONS[-1]}_{TOKEN}_*"))
                for host in lab.hosts:
                    # The role's staging directory (mobility_service_remote_dir), root-only as the role makes it.
                    target = lab.root(host) / "var/lib/asr-mobility"
                    target.mkdir(mode=0o700, parents=True)
                    shutil.copy(package, target / package.name)
                    (target / package.name).chmod(0o600)
                rows.append(ctx.measure(lab, inventory, "staged"))
            finally:
                lab.down()
    finally:
        ctx.close()
    say("\n== Windows converged rerun: calls to the contract harness's stand-in host")
    try:
        windows_calls = windows_converged_calls()
        say(f"   {windows_calls} module round trips")
    except Exception as exc:  # pylint: disable=broad-except  # reported in the targets table, not hidden
        windows_calls = f"the contract run failed: {str(exc).splitlines()[0][:120]}"
    payload = {"machine": ctx.info, "settings": ctx.settings, "rows": rows, "windows_converged_calls": windows_calls}
    ctx.write("results", render(ctx.info, ctx.settings, rows, windows_calls), payload)
    return 0 if all(r["rc"] == 0 for r in rows) else 1


def keep_converged(lab: Lab, target: Path) -> None:
    """The first host's upper directory (what the first deploy and the rerun left on it), minus what
    is its own (host name, machine id), as a layer for --converged-sizes. ``cp -a`` keeps overlayfs'
    whiteouts and opaque-directory attributes."""
    if target.exists():
        shutil.rmtree(target)
    run(["cp", "-a", lab.base / lab.hosts[0] / "upper", target])
    for own in ("etc/hostname", "etc/machine-id"):
        (target / own).unlink(missing_ok=True)


def scale(rows: list) -> list:
    """Lines on how the converged rerun and its floor grow with N: least-squares slope of the wall
    (ms per host) and of the controller's peak PSS (MiB per host), over every N measured."""
    lines = []
    for phase in ("floor", "rerun"):
        pts = sorted((r["n"], r["wall"], r["peak_pss_mib"]) for r in rows if r["phase"] == phase)
        if len(pts) < 2:
            continue
        ns = [p[0] for p in pts]
        mean_n = sum(ns) / len(ns)
        var = sum((x - mean_n) ** 2 for x in ns)

        def slope(values):
            mean_v = sum(values) / len(values)
            return sum((x - mean_n) * (v - mean_v) for x, v in zip(ns, values)) / var
        walls, pss = [p[1] for p in pts], [p[2] for p in pts]
        per_host = ", ".join(f"N={n}: {1000 * w / n:.0f} ms/host, {m:.0f} MiB" for n, w, m in pts)
        lines.append(f"- {phase}: wall slope {1000 * slope(walls):.0f} ms per host, peak controller PSS slope "
                     f"{slope(pss):.2f} MiB per host ({per_host})")
    return lines


def ab(args) -> int:
    """Before/after: the same lab, first deploy once, then floor / rerun A / rerun B in alternating
    order for --rounds rounds (A = --collections-a, B = --collections-b); medians."""
    ctx = Bench(args)
    rows = []
    try:
        for n in args.sizes:
            say(f"\n== N={n}: lab up (A = {args.collections_a}, B = {args.collections_b})")
            lab, inventory, _setup = ctx.lab(n)
            try:
                rows.append(ctx.measure(lab, inventory, "first", "first A", args.collections_a))
                for rnd in range(args.rounds):
                    order = [("A", args.collections_a), ("B", args.collections_b)]
                    for name, path in (order if rnd % 2 == 0 else order[::-1]):
                        rows.append(ctx.measure(lab, inventory, "rerun", f"rerun {name}", path))
                    rows.append(ctx.measure(lab, inventory, "floor"))
            finally:
                lab.down()
    finally:
        ctx.close()
    lines = [f"Machine: {ctx.info['cores']} cores, {ctx.info['ram_gib']} GiB RAM, {ctx.info['ansible']}; "
             f"{ctx.settings}.", f"A = {args.collections_a}", f"B = {args.collections_b}", "",
             "| N | phase | runs | median wall s | × median floor | median CPU s/host | tasks/host | "
             "module round trips/host | loads |", "|---|---|---|---|---|---|---|---|---|"]
    for n in args.sizes:
        mine = [r for r in rows if r["n"] == n]
        floor = sorted(r["wall"] for r in mine if r["phase"] == "floor")
        floor_median = floor[len(floor) // 2]
        for phase in ("floor", "rerun A", "rerun B"):
            sel = [r for r in mine if r["phase"] == phase]
            walls = sorted(r["wall"] for r in sel)
            cpus = sorted(r["cpu_s_per_host"] for r in sel)
            lines.append(f"| {n} | {phase} | {len(sel)} | {walls[len(walls) // 2]:.1f} "
                         f"({', '.join(f'{w:.1f}' for w in walls)}) | {walls[len(walls) // 2] / floor_median:.2f} | "
                         f"{cpus[len(cpus) // 2]:.2f} | {sel[0]['task_results_per_host']:g} | "
                         f"{sel[0]['module_round_trips_per_host']:g} | "
                         f"{' '.join(r['load_before'].split()[0] for r in sel)} |")
    ctx.write("ab", "\n".join(lines), {"machine": ctx.info, "settings": ctx.settings, "rows": rows,
                                       "a": args.collections_a, "b": args.collections_b})
    return 0 if all(r["rc"] == 0 for r in rows) else 1


def render(info: dict, settings: str, rows: list, windows_calls=None) -> str:
    lines = [f"Machine: {info['cores']} cores ({info['cpu']}), {info['ram_gib']} GiB RAM, kernel {info['kernel']}, "
             f"{info['ansible']}, controller Python {info['python']}.",
             f"Settings: {settings}.", "", table(rows), "", "Targets (issue 16; measured in this run):", "",
             targets_table(rows, windows_calls), "", "Checks:"]
    lines += [f"- [{'x' if ok else ' '}] {text}" for text, ok in checks(rows)]
    grow = scale(rows)
    if grow:
        lines += ["", "Scale (least squares over every N; cloned hosts included):"] + grow
    for phase, title in (("first", "first deploy"), ("rerun", "converged rerun")):
        lines += ["", f"Module round trips per host by task ({title}, largest N):"]
        measured = [r for r in rows if r["phase"] == phase]
        if measured:
            for task, count in measured[-1]["round_trips_by_task"].items():
                lines.append(f"- {count:g} × {task}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------- probe-podman
PROBE_LABEL = "asr.bench=probe-podman"
PODMAN_RUN_ARGS = ["--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]


def podman_env() -> dict:
    return dict(os.environ, CONTAINERS_CONF=os.environ.get("CONTAINERS_CONF",
                                                           str(REPO / "tests/lab/podman/containers.conf")))


def probe_cleanup() -> None:
    names = subprocess.run(["podman", "ps", "-a", "--filter", f"label={PROBE_LABEL}", "--format", "{{.Names}}"],
                           capture_output=True, text=True, check=False, env=podman_env()).stdout.split()
    if names:
        subprocess.run(["podman", "rm", "-f", "-t", "0", *names], capture_output=True, check=False, env=podman_env())


def probe_memory(names: list) -> float:
    """Sum of the containers' memory use (podman stats), MiB."""
    out = subprocess.run(["podman", "stats", "--no-stream", "--format", "json", *names], capture_output=True,
                         text=True, check=False, env=podman_env()).stdout
    total = 0.0
    units = {"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3}
    for entry in json.loads(out or "[]"):
        used = str(entry.get("mem_usage", "0B")).split("/", maxsplit=1)[0].strip().lower()
        number = used.rstrip("abcdefghijklmnopqrstuvwxyz")
        total += float(number or 0) * units.get(used[len(number):].strip() or "b", 1)
    return total / 1024 ** 2


def probe_podman(args) -> int:
    """The same floor on N podman containers (systemd as PID 1, as the lab's; and a plain one)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    work = BUILD / f"probe-{stamp}"
    work.mkdir(parents=True)
    base_rootfs()   # makes sure the image exists
    rows = []
    for n in args.sizes:
        for kind, command in (("systemd", ["--systemd", "always", IMAGE, "/sbin/init"]),
                              ("plain", [IMAGE, "sleep", "infinity"])):
            probe_cleanup()
            names = [f"asr-bench-p{i:03d}" for i in range(1, n + 1)]
            started = time.monotonic()
            for name in names:
                run(["podman", "run", "-d", "--name", name, "--label", PROBE_LABEL, "--network", "none",
                     *PODMAN_RUN_ARGS, *command], capture_output=True, env=podman_env())
            if kind == "systemd":
                pending = set(names)
                deadline = time.monotonic() + 600
                while pending and time.monotonic() < deadline:
                    for name in sorted(pending):
                        state = subprocess.run(["podman", "exec", name, "systemctl", "is-system-running"],
                                               capture_output=True, text=True, check=False,
                                               env=podman_env()).stdout.strip()
                        if state in ("running", "degraded"):
                            pending.discard(name)
                    if pending:
                        time.sleep(1)
                booted = n - len(pending)
            else:
                booted = n
            up_s = time.monotonic() - started
            mem = probe_memory(names)
            inventory = work / f"podman-{n}.yml"
            inventory.write_text("all:\n  vars:\n    ansible_connection: containers.podman.podman\n"
                                 "    ansible_python_interpreter: /usr/bin/python3\n"
                                 f"  children:\n    {GROUP}:\n      hosts:\n"
                                 + "".join(f"        {name}:\n" for name in names))
            result = run_phase(f"probe-{kind}-{n}", FLOOR, inventory, work, args, [])
            rows.append({"n": n, "kind": kind, "up_s": up_s, "booted": booted, "mem_mib": mem, "wall": result["wall"],
                         "cpu": result["cpu"], "rc": result["rc"], "load": result["load_after"]})
            say(f"N={n} {kind}: up {up_s:.1f}s ({booted} booted), containers {mem:.0f} MiB, floor rc={result['rc']} "
                f"wall {result['wall']:.1f}s cpu {result['cpu']:.0f}s; load {result['load_after']}")
            probe_cleanup()
    lines = ["| N | podman containers | up (boot) s | booted | memory MiB (per host) | floor wall s (ms/host) | "
             "floor CPU s/host (controller side) | load after |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['n']} | {r['kind']} | {r['up_s']:.1f} | {r['booted']} | {r['mem_mib']:.0f} ({r['mem_mib'] / r['n']:.1f}) | "
                     f"{r['wall']:.1f} ({1000 * r['wall'] / r['n']:.0f}) | {r['cpu'] / r['n']:.2f} | {r['load']} |")
    report = "\n".join(lines)
    say("\n" + report)
    (BUILD / f"probe-podman-{stamp}.md").write_text(report + "\n")
    return 0


# ------------------------------------------------------------------------------------ task-cost
def task_cost(args) -> int:
    """What one task costs per host on the controller, with no host contacted: K set_fact tasks
    (ok) and K skipped tasks against N inventory hosts, minus an empty play."""
    BUILD.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    work = BUILD / f"task-cost-{stamp}"
    work.mkdir(parents=True)
    n, k = max(args.sizes), 25
    inventory = work / "hosts.yml"
    inventory.write_text("all:\n  vars:\n    ansible_connection: local\n  hosts:\n"
                         + "".join(f"    t{i:03d}:\n" for i in range(n)))
    bodies = {
        "empty": ["    - name: Nothing", "      ansible.builtin.meta: noop"],
        "set_fact": [line for i in range(k) for line in
                     (f"    - name: Set {i}", "      ansible.builtin.set_fact:",
                      f"        task_cost_{i}: \"{{{{ inventory_hostname }}}}\"")],
        "skipped": [line for i in range(k) for line in
                    (f"    - name: Skip {i}", "      ansible.builtin.debug:", "        msg: never",
                     "      when: task_cost_never | default(false)")],
    }
    env = ansible_env({"ANSIBLE_FORKS": str(args.forks)})
    measured = {}
    for name, body in bodies.items():
        playbook = work / f"{name}.yml"
        playbook.write_text("\n".join(["- name: Task cost", "  hosts: all", "  gather_facts: false",
                                       "  tasks:"] + body) + "\n")
        started = time.monotonic()
        proc = subprocess.Popen([VENV_BIN / "ansible-playbook", "-i", inventory, playbook], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        measured[name] = (time.monotonic() - started, usage.ru_utime + usage.ru_stime, usage.ru_stime,
                          os.waitstatus_to_exitcode(status))
    wall0, cpu0, sys0, _rc = measured["empty"]
    lines = [f"task cost: N={n} hosts, {k} tasks, forks {args.forks}, load {loadavg()}",
             "| tasks | wall s | CPU s (sys) | ms wall per host-task | ms CPU per host-task |", "|---|---|---|---|---|"]
    for name in ("empty", "set_fact", "skipped"):
        wall, cpu, sys_s, rc = measured[name]
        per = (f"{1000 * (wall - wall0) / (n * k):.1f} | {1000 * (cpu - cpu0) / (n * k):.1f}" if name != "empty"
               else "- | -")
        lines.append(f"| {name}{'' if rc == 0 else f' rc={rc}'} | {wall:.1f} | {cpu:.1f} ({sys_s:.1f}) | {per} |")
    report = "\n".join(lines)
    say(report)
    (BUILD / f"task-cost-{stamp}.md").write_text(report + "\n")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 1)[1])
    ap.add_argument("mode", nargs="?", choices=["bench", "probe-podman", "ab", "task-cost", "windows-calls"],
                    default="bench")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    ap.add_argument("--forks", type=int, default=10)
    ap.add_argument("--source", choices=["controller", "url"], default="controller")
    ap.add_argument("--no-pipelining", action="store_true")
    ap.add_argument("--control-plane", choices=["classic", "modernized"], default="classic",
                    help="modernized: each host's config.json made by the lab's stand-in replication appliance")
    ap.add_argument("--no-staged", action="store_true", help="skip the staged-installer check (smallest N)")
    ap.add_argument("--converged-sizes", type=int, nargs="*", default=[],
                    help="also measure floor and converged rerun at these N, every host a copy of a host the "
                         "largest --sizes run converged (no first deploy at these N)")
    ap.add_argument("--collections-a", default=str(REPO / "build" / "collections"), help="ab: collections path A")
    ap.add_argument("--collections-b", help="ab: collections path B (another checkout's ansible_collections parent)")
    ap.add_argument("--rounds", type=int, default=3, help="ab: rounds of floor / rerun A / rerun B")
    args = ap.parse_args(argv)
    if args.mode == "probe-podman":
        return probe_podman(args)
    if args.mode == "task-cost":
        return task_cost(args)
    if args.mode == "windows-calls":
        return windows_calls_only()
    if os.environ.get(NS_MARK) != "1":
        # Private mount namespace: every mount goes away with this process.
        env = dict(os.environ, **{NS_MARK: "1"})
        return subprocess.call(["unshare", "--mount", "--propagation", "private", sys.executable, __file__]
                               + (argv if argv is not None else sys.argv[1:]), env=env)
    if args.mode == "ab":
        if not args.collections_b:
            raise SystemExit("ab needs --collections-b")
        return ab(args)
    return bench(args)


if __name__ == "__main__":
    sys.exit(main())
