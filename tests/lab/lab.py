# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Podman lab for asr.mobility: systemd hosts, a fake configuration server, an installer mirror.

  lab.py up --hosts deb12=debian12,rhel7=spoof-rhel7 \\
            --cs-passphrase-file F --mirror-dir D [--inventory inventories/lab/hosts.yml]
  lab.py status
  lab.py down

Everything lives on one podman bridge network (default asr-lab, 10.89.77.0/24):

  10.89.77.1        bridge gateway (the host)
  10.89.77.2        asr-lab-cs      fake CS: python3 tests/lab/fake_cs/server.py --bind 10.89.77.2
  10.89.77.3        asr-lab-mirror  python3 -m http.server --bind 10.89.77.3 over --mirror-dir
  10.89.77.10-127   hosts started by `up` (fixed, in --hosts order)
  10.89.77.129-254  dynamic leases (molecule instances joining the network)

The two services run in their own small containers (image localhost/asr-lab:svc), so they listen
only on the lab network (never 0.0.0.0 on the host); lab hosts, molecule instances and the host
itself (through the bridge) reach them. The source directory of the CS, the passphrase file and
the mirror directory are bind-mounted read-only; the CS state directory read-write.

`up` writes an Ansible inventory (containers.podman.podman connection) with the addresses as
group vars (asr_lab_cs_address, asr_lab_cs_port, asr_lab_cs_url, asr_lab_mirror_url) and a shell
file with the same values (<state-dir>/lab.env, default build/lab/lab.env). `up` first removes whatever an earlier `up`
left behind; `down` removes every container carrying the label asr.lab.managed-by=lab.py, then
the network when nothing else (e.g. a molecule instance) still uses it. Python 3 stdlib only.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONTAINERS_CONF = HERE / "podman" / "containers.conf"
LABEL = "asr.lab.managed-by=lab.py"
PREFIX = "asr-lab-"
IMAGE_REPO = "localhost/asr-lab"
DEFAULTS = {
    "network": "asr-lab",
    "subnet": "10.89.77.0/24",
    "cs_port": 8443,
    "mirror_port": 8080,
    "inventory": REPO / "inventories" / "lab" / "hosts.yml",
    "cs_server": HERE / "fake_cs" / "server.py",
    "state_dir": REPO / "build" / "lab",
}
# Every lab host's own system UUID (the Mobility agent's identity; this machine has no DMI table).
DMIDECODE = HERE / "files" / "dmidecode"
RUN_ARGS = ["--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


# ----------------------------------------------------------------------------------------- podman
def env() -> dict:
    e = dict(os.environ)
    e.setdefault("CONTAINERS_CONF", str(CONTAINERS_CONF))
    return e


def podman(*args, check=True, quiet=False) -> subprocess.CompletedProcess:
    proc = subprocess.run(["podman", *args], check=False, env=env(), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and proc.returncode != 0:
        raise SystemExit(f"podman {' '.join(args)} failed (rc={proc.returncode}):\n"
                         f"{proc.stderr.strip()}")
    if not quiet and proc.returncode != 0 and proc.stderr.strip():
        print(f"  (podman {args[0]}: {proc.stderr.strip().splitlines()[-1]})", file=sys.stderr)
    return proc


def managed_containers() -> list:
    out = podman("ps", "-a", "--filter", f"label={LABEL}", "--format", "json").stdout
    return json.loads(out or "[]")


def network_info(name: str) -> dict | None:
    proc = podman("network", "inspect", name, check=False, quiet=True)
    if proc.returncode != 0:
        return None
    data = json.loads(proc.stdout)
    return data[0] if isinstance(data, list) else data


def network_users(name: str) -> list:
    out = podman("ps", "-a", "--filter", f"network={name}", "--format", "{{.Names}}").stdout
    return out.split()


def image_labels(ref: str) -> dict:
    proc = podman("image", "inspect", "--format", "{{json .Labels}}", ref, check=False, quiet=True)
    if proc.returncode != 0:
        raise SystemExit(f"image {ref} not found: build it first (make lab-images, or "
                         f"tests/lab/images/build.py --only <name>)")
    return json.loads(proc.stdout or "null") or {}


def mac_for(ip: str) -> str:
    """A fixed, locally administered MAC per lab address: a container recreated on the same IP
    keeps its MAC, so neighbours' ARP caches (host, other containers) stay right and the first
    connections do not stall for seconds."""
    return "02:a5:" + ":".join(f"{b:02x}" for b in ipaddress.ip_address(ip).packed)


def image_ref(spec: str) -> str:
    """debian12 / asr-lab:debian12 / localhost/asr-lab:debian12 / any full reference."""
    if "/" in spec:
        return spec
    if ":" in spec:
        return f"localhost/{spec}"
    return f"{IMAGE_REPO}:{spec}"


# ------------------------------------------------------------------------------------------ plan
class Plan:
    def __init__(self, args):
        net = ipaddress.ip_network(args.subnet)
        if net.prefixlen > 24:
            raise SystemExit("--subnet must be a /24 or larger")
        hosts = list(net.hosts())
        self.network, self.subnet = args.network, str(net)
        self.gateway, self.cs_ip, self.mirror_ip = str(hosts[0]), str(hosts[1]), str(hosts[2])
        self.host_ips = [str(h) for h in hosts[9:127]]
        self.ip_range = str(ipaddress.ip_network(f"{hosts[127]}/25", strict=False))
        self.cs_port, self.mirror_port = args.cs_port, args.mirror_port
        self.cs_url = f"http://{self.cs_ip}:{self.cs_port}"
        self.mirror_url = f"http://{self.mirror_ip}:{self.mirror_port}"


def parse_hosts(values: list) -> list:
    hosts, seen = [], set()
    for value in values or []:
        for item in filter(None, (v.strip() for v in value.split(","))):
            if "=" not in item:
                raise SystemExit(f"--hosts entry {item!r}: expected NAME=IMAGE")
            name, image = item.split("=", 1)
            if not NAME_RE.match(name) or name in ("cs", "mirror") or name in seen:
                raise SystemExit(f"--hosts: bad or duplicate host name {name!r} "
                                 f"(lower case, digits, - and _; not cs/mirror)")
            seen.add(name)
            hosts.append((name, image_ref(image)))
    return hosts


# ----------------------------------------------------------------------------------------- steps
def remove_managed(role: str | None = None) -> None:
    names = [c["Names"][0] for c in managed_containers()
             if role is None or c.get("Labels", {}).get("asr.lab.role") == role]
    if names:
        print(f"removing {', '.join(names)}")
        podman("rm", "-f", "-t", "0", *names, check=False)


def free_name(cname: str) -> None:
    """A container without our label but with one of our names (asr-lab-*) is a leftover too."""
    if podman("container", "exists", cname, check=False, quiet=True).returncode == 0:
        print(f"removing leftover container {cname} (not labelled {LABEL})")
        podman("rm", "-f", "-t", "0", cname, check=False)


def ensure_network(plan: Plan) -> None:
    info = network_info(plan.network)
    if info:
        subnets = [s.get("subnet") for s in info.get("subnets", [])]
        if plan.subnet in subnets:
            return
        users = network_users(plan.network)
        if users:
            raise SystemExit(f"network {plan.network} has subnet {subnets}, not {plan.subnet}, "
                             f"and is used by {users}; remove those or pick --network/--subnet")
        print(f"network {plan.network} has subnet {subnets}; recreating with {plan.subnet}")
        podman("network", "rm", plan.network)
    print(f"creating network {plan.network} {plan.subnet} (dynamic leases {plan.ip_range})")
    podman("network", "create", "--subnet", plan.subnet, "--gateway", plan.gateway,
           "--ip-range", plan.ip_range, "--label", LABEL, plan.network)


def check_addresses(plan: Plan, wanted: dict) -> None:
    """Refuse to start when a foreign container holds an address the lab needs ({ip: name})."""
    users = [u for u in network_users(plan.network) if u not in wanted.values()]
    if not users:
        return
    fmt = "{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"
    out = podman("inspect", "--format", fmt, *users, check=False, quiet=True).stdout
    for line in out.splitlines():
        other, *ips = line.split()
        for ip in ips:
            if ip in wanted:
                raise SystemExit(f"{ip} (wanted by {wanted[ip]}) is held by container {other}; "
                                 f"remove it or run `lab.py down`")


def start_services(plan: Plan, args) -> dict:
    svc_image = image_ref(args.svc_image)
    image_labels(svc_image)
    out = {}
    state_dir = Path(args.state_dir).resolve()
    if not args.no_cs:
        server = Path(args.cs_server).resolve()
        if not server.is_file():
            raise SystemExit(f"fake CS not found at {server} (pass --cs-server, or --no-cs)")
        pfile = Path(args.cs_passphrase_file).resolve() if args.cs_passphrase_file else None
        if not pfile:
            raise SystemExit("--cs-passphrase-file is required (or --no-cs)")
        if not pfile.is_file():
            if not args.generate_passphrase:
                raise SystemExit(f"{pfile} does not exist (add --generate-passphrase to create it)")
            pfile.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(pfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(24) + "\n")
            print(f"generated a CS passphrase in {pfile}")
        cs_state = Path(args.cs_state_dir).resolve() if args.cs_state_dir else state_dir / "cs-state"
        cs_state.mkdir(parents=True, exist_ok=True)
        if not args.keep_cs_state:        # the hosts are new, so are their registrations
            for f in ("registrations.json", "server.json"):
                (cs_state / f).unlink(missing_ok=True)
        name = PREFIX + "cs"
        free_name(name)
        podman("run", "-d", "--name", name, "--hostname", name, "--label", LABEL,
               "--label", "asr.lab.role=service", "--network", plan.network, "--ip", plan.cs_ip, "--mac-address", mac_for(plan.cs_ip),
               "--init", *RUN_ARGS,
               "-v", f"{server.parent}:/opt/asr-lab/fake_cs:ro",
               "-v", f"{pfile}:/run/asr-lab/cs-passphrase:ro",
               "-v", f"{cs_state}:/var/lib/asr-lab/cs-state",
               svc_image, "python3", f"/opt/asr-lab/fake_cs/{server.name}",
               "--bind", plan.cs_ip, "--port", str(plan.cs_port),
               "--passphrase-file", "/run/asr-lab/cs-passphrase",
               "--state-dir", "/var/lib/asr-lab/cs-state", *args.cs_arg)
        wait_http(name, f"{plan.cs_url}/healthz", args.timeout)
        out.update(cs_state=str(cs_state), cs_passphrase_file=str(pfile))
        print(f"fake CS       {plan.cs_url}   (state {cs_state})")
    if not args.no_mirror:
        if not args.mirror_dir:
            raise SystemExit("--mirror-dir is required (or --no-mirror)")
        mirror = Path(args.mirror_dir).resolve()
        mirror.mkdir(parents=True, exist_ok=True)
        name = PREFIX + "mirror"
        free_name(name)
        podman("run", "-d", "--name", name, "--hostname", name, "--label", LABEL,
               "--label", "asr.lab.role=service", "--network", plan.network,
               "--ip", plan.mirror_ip, "--mac-address", mac_for(plan.mirror_ip), "--init",
               *RUN_ARGS,
               "-v", f"{mirror}:/srv/mirror:ro", svc_image,
               "python3", "-m", "http.server", str(plan.mirror_port), "--bind", plan.mirror_ip,
               "--directory", "/srv/mirror")
        wait_http(name, f"{plan.mirror_url}/", args.timeout)
        out.update(mirror_dir=str(mirror))
        print(f"mirror        {plan.mirror_url}   (serving {mirror})")
    return out


def wait_http(container: str, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = str(exc)
        state = podman("inspect", "--format", "{{.State.Status}}", container, check=False,
                       quiet=True).stdout.strip()
        if state not in ("running", "created", "configured"):
            break
        time.sleep(0.5)
    logs = podman("logs", "--tail", "30", container, check=False, quiet=True)
    raise SystemExit(f"{container} did not answer {url} ({last}); logs:\n"
                     f"{logs.stdout}{logs.stderr}")


def start_hosts(plan: Plan, hosts: list) -> list:
    if len(hosts) > len(plan.host_ips):
        raise SystemExit(f"at most {len(plan.host_ips)} hosts")
    started = []
    for (name, ref), ip in zip(hosts, plan.host_ips):
        labels = image_labels(ref)
        cname = PREFIX + name
        free_name(cname)
        podman("run", "-d", "--name", cname, "--hostname", name.replace("_", "-"),
               "--label", LABEL, "--label", "asr.lab.role=host", "--label", f"asr.lab.host={name}",
               "--network", plan.network, "--ip", ip, "--mac-address", mac_for(ip), *RUN_ARGS,
               "--systemd", "always", "--volume", f"{DMIDECODE}:/usr/sbin/dmidecode:ro",
               ref, "/sbin/init")
        started.append({"name": name, "container": cname, "image": ref, "ip": ip,
                        "labels": labels})
        print(f"host          {name:16} {ip:14} {ref}")
    return started


def wait_systemd(started: list, timeout: float) -> None:
    pending = {h["container"]: h for h in started}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for cname in list(pending):
            proc = podman("exec", cname, "systemctl", "is-system-running", check=False, quiet=True)
            state = proc.stdout.strip()
            if state in ("running", "degraded"):
                pending.pop(cname)["systemd"] = state
                if state == "degraded":
                    failed = podman("exec", cname, "systemctl", "--failed", "--no-legend",
                                    "--plain", check=False, quiet=True).stdout.strip()
                    print(f"  {cname}: systemd degraded: {failed}")
        if pending:
            time.sleep(1)
    if pending:
        details = []
        for cname in pending:
            st = podman("exec", cname, "systemctl", "is-system-running", check=False,
                        quiet=True)
            jobs = podman("exec", cname, "systemctl", "list-jobs", "--no-legend", check=False,
                          quiet=True)
            details.append(f"{cname}: {(st.stdout or st.stderr).strip()} {jobs.stdout.strip()}")
        raise SystemExit("systemd did not come up within %ss:\n  %s" % (timeout,
                                                                        "\n  ".join(details)))


# ------------------------------------------------------------------------------------- inventory
def q(value) -> str:
    return json.dumps(value)   # JSON scalars are valid YAML flow scalars


def write_inventory(path: Path, envfile: Path, plan: Plan, args, started: list) -> None:
    group_vars = {
        "ansible_connection": "containers.podman.podman",
        "asr_lab_network": plan.network,
        "asr_lab_gateway": plan.gateway,
    }
    if not args.no_cs:
        group_vars.update(asr_lab_cs_address=plan.cs_ip, asr_lab_cs_port=plan.cs_port,
                          asr_lab_cs_url=plan.cs_url)
    if not args.no_mirror:
        group_vars.update(asr_lab_mirror_url=plan.mirror_url)
    lines = ["# Generated by tests/lab/lab.py up -- do not edit; `lab.py down` removes it.",
             "all:", "  vars:"]
    lines += [f"    {k}: {q(v)}" for k, v in group_vars.items()]
    lines += ["  children:", f"    {args.group}:", "      hosts:" + ("" if started else " {}")]
    for h in started:
        lab = h["labels"]
        hv = {"ansible_host": h["container"],
              "ansible_python_interpreter": lab.get("asr.lab.python") or "/usr/bin/python3",
              "asr_lab_image": h["image"], "asr_lab_ip": h["ip"],
              "asr_lab_kind": lab.get("asr.lab.kind", ""),
              "asr_lab_controller": lab.get("asr.lab.controller", "2.19"),
              "asr_lab_os_token": lab.get("asr.lab.os_token", ""),
              "asr_lab_description": lab.get("asr.lab.description", "")}
        lines.append(f"        {h['name']}:")
        lines += [f"          {k}: {q(v)}" for k, v in hv.items()]
    by_group = {
        "asr_lab_spoofed": [h for h in started if h["labels"].get("asr.lab.kind") == "spoof"],
        # ansible-core 2.19 cannot manage Python 2.7/3.6 targets: use .venv216 for these.
        "asr_lab_core216": [h for h in started if h["labels"].get("asr.lab.controller") == "2.16"],
    }
    for group, members in by_group.items():
        if members:
            lines += [f"    {group}:", "      hosts:"] + [f"        {h['name']}:" for h in members]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)
    exports = {"ASR_LAB_INVENTORY": str(path), "ASR_LAB_NETWORK": plan.network}
    if not args.no_cs:
        exports.update(ASR_LAB_CS_ADDRESS=plan.cs_ip, ASR_LAB_CS_PORT=str(plan.cs_port),
                       ASR_LAB_CS_URL=plan.cs_url)
    if not args.no_mirror:
        exports.update(ASR_LAB_MIRROR_URL=plan.mirror_url)
    envfile.parent.mkdir(parents=True, exist_ok=True)
    envfile.write_text("".join(f"{k}={v}\n" for k, v in exports.items()))
    print(f"inventory     {path}\nenv file      {envfile}")
    for k, v in exports.items():
        print(f"  {k}={v}")


# -------------------------------------------------------------------------------------- commands
def state_file(args) -> Path:
    return Path(args.state_dir).resolve() / "lab-state.json"


def env_file(args) -> Path:
    return Path(args.state_dir).resolve() / "lab.env"


def cmd_up(args) -> int:
    plan = Plan(args)
    hosts = parse_hosts(args.hosts)
    t0 = time.monotonic()
    phases = []

    def phase(label, fn, *a):
        t = time.monotonic()
        result = fn(*a)
        phases.append(f"{label} {time.monotonic() - t:.1f}s")
        return result

    phase("cleanup", remove_managed)       # leftovers of an earlier up (or a crashed one)
    phase("network", ensure_network, plan)
    wanted = {ip: PREFIX + host[0] for host, ip in zip(hosts, plan.host_ips)}
    if not args.no_cs:
        wanted[plan.cs_ip] = PREFIX + "cs"
    if not args.no_mirror:
        wanted[plan.mirror_ip] = PREFIX + "mirror"
    phase("addresses", check_addresses, plan, wanted)
    info = phase("services", start_services, plan, args)
    started = phase("hosts", start_hosts, plan, hosts)
    phase("systemd", wait_systemd, started, args.timeout)
    inventory = Path(args.inventory).resolve()
    write_inventory(inventory, env_file(args), plan, args, started)
    st = {"network": plan.network, "subnet": plan.subnet, "inventory": str(inventory),
          "cs_url": None if args.no_cs else plan.cs_url,
          "mirror_url": None if args.no_mirror else plan.mirror_url,
          "hosts": [{k: h[k] for k in ("name", "container", "image", "ip", "systemd")}
                    for h in started], **info}
    sf = state_file(args)
    sf.parent.mkdir(parents=True, exist_ok=True)
    sf.write_text(json.dumps(st, indent=2) + "\n")
    print(f"lab up in {time.monotonic() - t0:.1f}s: {len(started)} host(s)"
          f"{', systemd ' + ', '.join(sorted({h['systemd'] for h in started})) if started else ''}"
          f" ({', '.join(phases)})")
    return 0


def cmd_down(args) -> int:
    remove_managed()
    sf = state_file(args)
    st = json.loads(sf.read_text()) if sf.is_file() else {}
    networks = {args.network, st.get("network") or args.network}
    for net in networks:
        info = network_info(net)
        if not info:
            continue
        users = network_users(net)
        if users:
            print(f"keeping network {net}: still used by {', '.join(users)}")
        elif args.keep_network:
            print(f"keeping network {net} (--keep-network)")
        else:
            print(f"removing network {net}")
            podman("network", "rm", net, check=False)
    inventory = Path(st.get("inventory") or args.inventory)
    for f in (inventory, env_file(args)):
        if f.is_file() and f.read_text().startswith(("# Generated by tests/lab/lab.py", "ASR_LAB_")):
            f.unlink()
            print(f"removed {f}")
    if sf.is_file():
        sf.unlink()
    return 0


def cmd_status(args) -> int:
    sf = state_file(args)
    st = json.loads(sf.read_text()) if sf.is_file() else {}
    containers = managed_containers()
    info = network_info(args.network)
    result = {"network": None, "containers": [], "inventory": st.get("inventory"),
              "cs_url": st.get("cs_url"), "mirror_url": st.get("mirror_url")}
    if info:
        result["network"] = {"name": info.get("name"),
                             "subnets": [s.get("subnet") for s in info.get("subnets", [])],
                             "users": network_users(args.network)}
    rc = 0
    for c in containers:
        name = c["Names"][0]
        role = c.get("Labels", {}).get("asr.lab.role", "?")
        row = {"name": name, "role": role, "image": c.get("Image"), "state": c.get("State")}
        if role == "host" and c.get("State") == "running":
            row["systemd"] = podman("exec", name, "systemctl", "is-system-running", check=False,
                                    quiet=True).stdout.strip()
        result["containers"].append(row)
        if c.get("State") != "running":
            rc = 1
    for key in ("cs_url", "mirror_url"):
        url = result.get(key)
        if url:
            probe = url + ("/healthz" if key == "cs_url" else "/")
            try:
                with urllib.request.urlopen(probe, timeout=3) as resp:
                    result[key + "_status"] = resp.status
            except Exception as exc:  # noqa: BLE001
                result[key + "_status"] = str(exc)
                rc = 1
    if args.json:
        print(json.dumps(result, indent=2))
        return rc
    net = result["network"]
    print(f"network   {net['name']} {','.join(net['subnets'])} users: {len(net['users'])}"
          if net else f"network   {args.network}: absent")
    for row in result["containers"]:
        print(f"{row['role']:9} {row['name']:24} {row['state']:8} {row.get('systemd', ''):9} "
              f"{row['image']}")
    for key in ("cs_url", "mirror_url"):
        if result.get(key):
            print(f"{key:9} {result[key]} -> {result.get(key + '_status')}")
    if result["inventory"]:
        print(f"inventory {result['inventory']}")
    if not containers:
        print("no lab containers")
    return rc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 1)[1])
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--network", default=DEFAULTS["network"])
    common.add_argument("--state-dir", default=str(DEFAULTS["state_dir"]),
                        help="lab state (and default CS state) directory (default %(default)s)")
    common.add_argument("--inventory", default=str(DEFAULTS["inventory"]),
                        help="inventory to write/remove (default %(default)s)")

    up = sub.add_parser("up", parents=[common], help="(re)create the lab")
    up.add_argument("--hosts", action="append", metavar="NAME=IMAGE[,NAME=IMAGE...]",
                    help="hosts to start; IMAGE like debian12, asr-lab:spoof-rhel7 or a full ref")
    up.add_argument("--subnet", default=DEFAULTS["subnet"])
    up.add_argument("--group", default="asr_mobility", help="inventory group of the hosts")
    up.add_argument("--cs-passphrase-file", help="first line = the CS passphrase")
    up.add_argument("--generate-passphrase", action="store_true",
                    help="create --cs-passphrase-file (0600, random) when it does not exist")
    up.add_argument("--cs-server", default=str(DEFAULTS["cs_server"]))
    up.add_argument("--cs-port", type=int, default=DEFAULTS["cs_port"])
    up.add_argument("--cs-state-dir", help="default <state-dir>/cs-state")
    up.add_argument("--keep-cs-state", action="store_true",
                    help="keep the registrations of an earlier lab (default: start empty)")
    up.add_argument("--cs-arg", action="append", default=[],
                    help="extra argument for server.py (repeat), e.g. --cs-arg=--delay=2")
    up.add_argument("--no-cs", action="store_true", help="no fake configuration server")
    up.add_argument("--mirror-dir", help="directory the installer mirror serves (created)")
    up.add_argument("--mirror-port", type=int, default=DEFAULTS["mirror_port"])
    up.add_argument("--no-mirror", action="store_true", help="no installer mirror")
    up.add_argument("--svc-image", default="svc", help="image of the two services")
    up.add_argument("--timeout", type=float, default=120, help="seconds to wait for systemd/services")

    down = sub.add_parser("down", parents=[common], help="remove everything `up` created")
    down.add_argument("--keep-network", action="store_true")

    status = sub.add_parser("status", parents=[common], help="show the lab (rc 1 if unhealthy)")
    status.add_argument("--json", action="store_true")

    args = ap.parse_args(argv)
    if not shutil.which("podman"):
        raise SystemExit("podman is missing: apt-get install -y podman runc (make lab-deps)")
    return {"up": cmd_up, "down": cmd_down, "status": cmd_status}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
