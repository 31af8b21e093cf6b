# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the podman images of the asr.mobility lab (systemd as PID 1).

Recipe (see README.md next to this file):
  debootstrap --variant=minbase --include=python3 <suite>   (cached tarball, outside the repo)
  -> podman import                                           (localhost/asr-lab-rootfs:<name>-<key>)
  -> podman build Containerfile.systemd                      (localhost/asr-lab:<name>)
  -> spoofed distributions: podman build Containerfile.spoof on top of debian12
     (localhost/asr-lab:spoof-<name>)

Every image carries the label asr.lab.recipe=<hash of its recipe>; an image whose label matches
is reused ("cached"), anything else is rebuilt. The hash covers the suite, mirror, package lists,
Containerfiles, spoofed files and the parent's hash, so editing any of them rebuilds what depends
on it. Python 3 standard library only; run as root.

  python3 tests/lab/images/build.py   required set: debian11/12/13, svc, every spoof-*
  ... --set all                       plus the opt-in Ubuntu images (skipped loudly when unreachable)
  ... --only debian12 spoof-rhel7 --force
  ... --verify --ansible .venv/bin/ansible   gather facts in every spoofed image and compare
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import fcntl
import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAB_DIR = HERE.parent
CONTAINERS_CONF = LAB_DIR / "podman" / "containers.conf"
# Bump when build.py changes how images are made in a way the hashed inputs do not show.
RECIPE_VERSION = "1"
REPO = "localhost/asr-lab"
ROOTFS_REPO = "localhost/asr-lab-rootfs"
DEFAULT_CACHE = os.environ.get("ASR_LAB_CACHE", "/var/cache/asr-lab")
SYSTEMD_PACKAGES = "systemd systemd-sysv dbus iproute2 procps"
SVC_PACKAGES = "openssl ca-certificates curl"
PODMAN_RUN_ARGS = ["--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
# Ubuntu archive signing keys (Ubuntu Archive Automatic Signing Key 2012 and 2018). The keyring
# comes from the Ubuntu archive itself (Debian 12 does not package it); these fingerprints are the
# trust anchor, so a keyring holding anything else is filtered down to them.
UBUNTU_ARCHIVE_FPRS = (
    "790BC7277767219C42C86F933B4FE6ACC0B21F32",
    "F6ECB3762474EDA9D21B7022871920D1991BC93C",
)
UBUNTU_DEFAULT_MIRROR = "http://archive.ubuntu.com/ubuntu"
UBUNTU_KEYRING_SUITE = "noble"


@dataclass
class Image:
    name: str                     # tag under localhost/asr-lab
    kind: str                     # debian | ubuntu | svc | spoof
    group: str                    # required | optional
    suite: str = ""
    script: str = ""              # debootstrap script (4th argument) when the suite has none
    include: tuple = ("python3",)
    parent: str = ""              # for svc/spoof
    python: str = "/usr/bin/python3"
    controller: str = "2.19"      # ansible-core line that can manage it
    os_token: str = ""            # ASR installer token (reference §4) where documented
    expect: dict = field(default_factory=dict)   # facts that fact gathering must report
    masks: tuple = ()             # extra systemd units to mask (they fail in a container)
    description: str = ""

    @property
    def ref(self) -> str:
        return f"{REPO}:{self.name}"


def _spoof(name, desc, token, dist, version, family):
    return Image(name=f"spoof-{name}", kind="spoof", group="required", parent="debian12",
                 os_token=token, description=desc,
                 expect={"ansible_distribution": dist, "ansible_distribution_version": version,
                         "ansible_os_family": family})


def _debian(major):
    return {"ansible_distribution": "Debian", "ansible_distribution_major_version": major,
            "ansible_os_family": "Debian"}


def _ubuntu(version):
    return {"ansible_distribution": "Ubuntu", "ansible_distribution_version": version,
            "ansible_os_family": "Debian"}


IMAGES = [
    Image("debian11", "debian", "required", suite="bullseye", os_token="DEBIAN11-64",
          expect=_debian("11"), description="Debian 11 (bullseye)"),
    Image("debian12", "debian", "required", suite="bookworm", expect=_debian("12"),
          description="Debian 12 (bookworm)"),
    Image("debian13", "debian", "required", suite="trixie", expect=_debian("13"),
          description="Debian 13 (trixie)"),
    Image("svc", "svc", "required", parent="debian12", expect=_debian("12"),
          description="lab services (fake CS, installer mirror)"),
    # python-minimal alone lacks zipfile (AnsiballZ needs it): python2.7 brings the stdlib.
    Image("ubuntu1604", "ubuntu", "optional", suite="xenial",
          include=("python3", "python-minimal", "python2.7"),
          python="/usr/bin/python2.7", controller="2.16", os_token="UBUNTU-16.04-64",
          expect=_ubuntu("16.04"), description="Ubuntu 16.04 (xenial)"),
    Image("ubuntu1804", "ubuntu", "optional", suite="bionic", controller="2.16",
          os_token="UBUNTU-18.04-64", expect=_ubuntu("18.04"), description="Ubuntu 18.04 (bionic)"),
    # focal's systemd-logind dies with 228/SECCOMP under podman+runc here (system "degraded").
    Image("ubuntu2004", "ubuntu", "optional", suite="focal", os_token="UBUNTU-20.04-64",
          expect=_ubuntu("20.04"), masks=("systemd-logind.service",),
          description="Ubuntu 20.04 (focal)"),
    Image("ubuntu2204", "ubuntu", "optional", suite="jammy", os_token="UBUNTU-22.04-64",
          expect=_ubuntu("22.04"), description="Ubuntu 22.04 (jammy)"),
    Image("ubuntu2404", "ubuntu", "optional", suite="noble", script="gutsy",
          expect=_ubuntu("24.04"), description="Ubuntu 24.04 (noble)"),
    _spoof("rhel6", "RHEL 6.10 (spoofed on Debian 12)", "RHEL6-64", "RedHat", "6.10", "RedHat"),
    _spoof("rhel7", "RHEL 7.9 (spoofed on Debian 12)", "RHEL7-64", "RedHat", "7.9", "RedHat"),
    _spoof("centos7", "CentOS 7.9 (spoofed on Debian 12)", "RHEL7-64", "CentOS", "7.9", "RedHat"),
    _spoof("rhel8", "RHEL 8.9 (spoofed on Debian 12)", "RHEL8-64", "RedHat", "8.9", "RedHat"),
    _spoof("rocky9", "Rocky Linux 9.3 (spoofed on Debian 12)", "RHEL9-64", "Rocky", "9.3", "RedHat"),
    _spoof("ol6", "Oracle Linux 6.4 (spoofed on Debian 12)", "OL6-64", "OracleLinux", "6.4", "RedHat"),
    _spoof("ol7", "Oracle Linux 7.9 (spoofed on Debian 12)", "OL7-64", "OracleLinux", "7.9", "RedHat"),
    _spoof("sles11sp3", "SLES 11 SP3 (spoofed on Debian 12)", "SLES11-SP3-64", "SLES", "11.3", "Suse"),
    _spoof("sles12sp5", "SLES 12 SP5 (spoofed on Debian 12)", "SLES12-64", "SLES", "12.5", "Suse"),
    _spoof("sles15sp5", "SLES 15 SP5 (spoofed on Debian 12)", "SLES15-64", "SLES", "15.5", "Suse"),
]
BY_NAME = {i.name: i for i in IMAGES}

_print_lock = threading.Lock()


def say(msg: str, name: str = "") -> None:
    with _print_lock:
        print(f"[{name}] {msg}" if name else msg, flush=True)


def loud(msg: str) -> None:
    rule = "!" * 78
    with _print_lock:
        print(f"{rule}\n!! {msg}\n{rule}", file=sys.stderr, flush=True)


class BuildError(Exception):
    pass


class Skip(Exception):
    pass


# --------------------------------------------------------------------------------------- helpers
def podman_env() -> dict:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(CONTAINERS_CONF))
    return env


def run(cmd, log: Path | None = None, check=True, capture=False, env=None, **kw):
    """Run a command; with a log, append its output there and show the tail on failure."""
    env = env or podman_env()
    if capture:
        return subprocess.run(cmd, check=check, env=env, text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, **kw)
    if log is None:
        return subprocess.run(cmd, check=check, env=env, **kw)
    with open(log, "a") as fh:
        fh.write(f"\n$ {' '.join(map(str, cmd))}\n")
        fh.flush()
        proc = subprocess.run(cmd, check=False, env=env, stdout=fh, stderr=subprocess.STDOUT, **kw)
    if check and proc.returncode != 0:
        tail = "".join(Path(log).read_text(errors="replace").splitlines(True)[-25:])
        raise BuildError(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} failed (rc={proc.returncode}),"
                         f" log {log}:\n{tail}")
    return proc


def sha(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else json.dumps(p, sort_keys=True).encode())
        h.update(b"\0")
    return h.hexdigest()


def tree_digest(root: Path) -> list:
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file() or p.is_symlink():
            data = os.readlink(p).encode() if p.is_symlink() else p.read_bytes()
            out.append([str(p.relative_to(root)), hashlib.sha256(data).hexdigest()])
    return out


def image_label(ref: str, label: str) -> str | None:
    proc = run(["podman", "image", "inspect", "--format", f'{{{{ index .Labels "{label}" }}}}', ref],
               check=False, capture=True)
    if proc.returncode != 0:
        return None
    value = proc.stdout.strip()
    return "" if value == "<no value>" else value


def image_id(ref: str) -> str | None:
    proc = run(["podman", "image", "inspect", "--format", "{{.Id}}", ref], check=False, capture=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


# ------------------------------------------------------------------------------------ apt mirrors
def apt_entries() -> list:
    """(uri, suites, components) of every enabled 'deb' source in the host's apt configuration."""
    entries = []
    files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
    for f in files:
        if not os.path.isfile(f):
            continue
        for line in Path(f).read_text(errors="replace").splitlines():
            line = line.split("#", 1)[0].strip()
            line = re.sub(r"\[[^\]]*\]", " ", line)
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb":
                entries.append((parts[1], [parts[2]], parts[3:]))
    for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        text = "\n".join(l for l in Path(f).read_text(errors="replace").splitlines()
                         if not l.lstrip().startswith("#"))
        for para in re.split(r"\n\s*\n", text):
            fields, key = {}, None
            for line in para.splitlines():
                if line[:1] in (" ", "\t") and key:
                    fields[key] += " " + line.strip()
                elif ":" in line:
                    key, value = line.split(":", 1)
                    key = key.strip().lower()
                    fields[key] = value.strip()
            if "deb" not in fields.get("types", "").split():
                continue
            if fields.get("enabled", "yes").lower() == "no":
                continue
            for uri in fields.get("uris", "").split():
                entries.append((uri, fields.get("suites", "").split(),
                                fields.get("components", "").split()))
    return entries


def host_codename() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def debian_mirror(cli_value: str | None) -> str:
    """The Debian archive this machine's apt uses (its main suite), unless overridden."""
    if cli_value or os.environ.get("ASR_LAB_DEBIAN_MIRROR"):
        return (cli_value or os.environ["ASR_LAB_DEBIAN_MIRROR"]).rstrip("/")
    codename = host_codename()
    entries = [e for e in apt_entries() if re.match(r"^(https?|file)://", e[0])]
    for uri, suites, _comps in entries:     # the entry carrying the host's own suite
        if codename and codename in suites and "security" not in uri:
            return uri.rstrip("/")
    for uri, _suites, _comps in entries:    # any Debian-looking archive
        if uri.rstrip("/").endswith("/debian"):
            return uri.rstrip("/")
    raise SystemExit("cannot find a Debian mirror in /etc/apt/sources.list*; pass --debian-mirror "
                     "or set ASR_LAB_DEBIAN_MIRROR")


def ubuntu_mirror(cli_value: str | None) -> str:
    if cli_value or os.environ.get("ASR_LAB_UBUNTU_MIRROR"):
        return (cli_value or os.environ["ASR_LAB_UBUNTU_MIRROR"]).rstrip("/")
    for uri, _suites, _comps in apt_entries():  # a host that already uses an Ubuntu archive
        if re.match(r"^https?://", uri) and uri.rstrip("/").endswith("/ubuntu"):
            return uri.rstrip("/")
    return UBUNTU_DEFAULT_MIRROR


def probe(url: str, timeout: float = 6.0) -> str | None:
    """None when url answers 200, else the reason."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout) as r:
            return None if r.status == 200 else f"HTTP {r.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} for {url}"
    except Exception as exc:  # noqa: BLE001 - any network failure is a reason to skip
        return f"{type(exc).__name__}: {exc} ({url})"


# ---------------------------------------------------------------------------------- ubuntu keyring
_keyring_lock = threading.Lock()


def ubuntu_keyring(cache: Path, mirror: str) -> Path:
    """A keyring holding only the pinned Ubuntu archive keys, fetched once from the archive."""
    out = cache / "keyrings" / "ubuntu-archive-pinned.gpg"
    with _keyring_lock:
        if out.is_file() and out.stat().st_size > 0:
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
        idx_url = f"{mirror}/dists/{UBUNTU_KEYRING_SUITE}/main/binary-amd64/Packages.gz"
        try:
            with urllib.request.urlopen(idx_url, timeout=30) as r:
                index = gzip.decompress(r.read()).decode("utf-8", "replace")
        except Exception as exc:  # noqa: BLE001
            raise Skip(f"cannot read {idx_url}: {exc}") from exc
        m = re.search(r"^Package: ubuntu-keyring\n(?:.+\n)*?Filename: (\S+)\n(?:.+\n)*?SHA256: (\w+)",
                      index, re.M)
        if not m:
            raise Skip(f"no ubuntu-keyring package in {idx_url}")
        deb_url, deb_sha = f"{mirror}/{m.group(1)}", m.group(2)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            try:
                with urllib.request.urlopen(deb_url, timeout=30) as r:
                    data = r.read()
            except Exception as exc:  # noqa: BLE001
                raise Skip(f"cannot download {deb_url}: {exc}") from exc
            if hashlib.sha256(data).hexdigest() != deb_sha:
                raise Skip(f"{deb_url}: sha256 differs from the archive index")
            (tmp / "k.deb").write_bytes(data)
            run(["dpkg-deb", "-x", str(tmp / "k.deb"), str(tmp / "x")], env=dict(os.environ))
            src = tmp / "x/usr/share/keyrings/ubuntu-archive-keyring.gpg"
            gnupg = tmp / "gnupg"
            gnupg.mkdir(mode=0o700)
            genv = dict(os.environ, GNUPGHOME=str(gnupg))
            run(["gpg", "--batch", "--quiet", "--import", str(src)], env=genv, capture=True)
            listing = run(["gpg", "--batch", "--with-colons", "--list-keys"], env=genv,
                          capture=True).stdout
            found = set(re.findall(r"^fpr:+([0-9A-F]{40}):", listing, re.M))
            missing = [f for f in UBUNTU_ARCHIVE_FPRS if f not in found]
            if missing:
                raise Skip(f"Ubuntu keyring from {deb_url} lacks pinned key(s) {missing}")
            tmp_out = out.with_suffix(".tmp")
            run(["gpg", "--batch", "--yes", "--output", str(tmp_out), "--export",
                 *UBUNTU_ARCHIVE_FPRS], env=genv, capture=True)
            tmp_out.replace(out)
        say(f"Ubuntu archive keyring pinned to {', '.join(UBUNTU_ARCHIVE_FPRS)} -> {out}")
        return out


# -------------------------------------------------------------------------------------- builders
class Builder:
    def __init__(self, args):
        self.args = args
        self.cache = Path(args.cache_dir)
        self.logs = self.cache / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        (self.cache / "rootfs").mkdir(parents=True, exist_ok=True)
        self.debian_mirror = debian_mirror(args.debian_mirror)
        self.ubuntu_mirror = ubuntu_mirror(args.ubuntu_mirror)
        self.hashes: dict[str, str] = {}
        self.results: dict[str, tuple] = {}   # name -> (status, detail, seconds)
        self.futures: dict[str, concurrent.futures.Future] = {}

    # ---- recipe hashes
    def rootfs_key(self, img: Image, keyring: str) -> str:
        mirror = self.debian_mirror if img.kind == "debian" else self.ubuntu_mirror
        return sha({"suite": img.suite, "script": img.script, "include": list(img.include),
                    "variant": "minbase", "mirror": mirror, "keyring": keyring})[:12]

    def recipe_hash(self, img: Image, rootfs_key: str = "") -> str:
        common = {"v": RECIPE_VERSION, "name": img.name, "python": img.python,
                  "controller": img.controller, "token": img.os_token, "desc": img.description,
                  "expect": img.expect, "masks": list(img.masks)}
        if img.kind in ("debian", "ubuntu"):
            return sha(common, rootfs_key, SYSTEMD_PACKAGES,
                       (HERE / "Containerfile.systemd").read_bytes())[:16]
        parent = self.hashes[img.parent]
        if img.kind == "svc":
            return sha(common, parent, SVC_PACKAGES, (HERE / "Containerfile.svc").read_bytes())[:16]
        return sha(common, parent, img.expect, (HERE / "Containerfile.spoof").read_bytes(),
                   tree_digest(HERE / "spoof" / img.name[len("spoof-"):]))[:16]

    def labels(self, img: Image, recipe: str) -> list:
        labels = {"asr.lab.recipe": recipe, "asr.lab.name": img.name, "asr.lab.kind": img.kind,
                  "asr.lab.python": img.python, "asr.lab.controller": img.controller,
                  "asr.lab.os_token": img.os_token, "asr.lab.description": img.description}
        if img.expect:
            labels["asr.lab.expect"] = json.dumps(img.expect, sort_keys=True)
        out = []
        for k, v in labels.items():
            out += ["--label", f"{k}={v}"]
        return out

    def is_current(self, img: Image, recipe: str) -> bool:
        return not self.args.force and image_label(img.ref, "asr.lab.recipe") == recipe

    def finish_tag(self, img: Image, old_id: str | None) -> None:
        """Drop the image this build replaced, when nothing else uses it."""
        if old_id and old_id != image_id(img.ref):
            run(["podman", "image", "rm", old_id], check=False, capture=True)

    @contextlib.contextmanager
    def lock(self, img: Image):
        """One build of an image at a time on this machine (another build.py may be running)."""
        (self.cache / "locks").mkdir(exist_ok=True)
        with open(self.cache / "locks" / f"{img.name}.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say("waiting for another build of this image to finish", img.name)
                fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    # ---- one image
    def build(self, img: Image) -> None:
        t0 = time.monotonic()
        try:
            if img.parent:
                parent = self.futures[img.parent].result()
                if parent[0] not in ("built", "cached"):
                    raise Skip(f"parent {img.parent} is {parent[0]}")
            with self.lock(img):
                status, detail = {"debian": self.build_base, "ubuntu": self.build_base,
                                  "svc": self.build_layer, "spoof": self.build_layer}[img.kind](img)
        except Skip as exc:
            status, detail = "SKIPPED", str(exc)
            loud(f"{img.name}: SKIPPED - {exc}")
        except BuildError as exc:
            status, detail = "FAILED", str(exc).splitlines()[0]
            say(f"FAILED: {exc}", img.name)
        except Exception as exc:  # noqa: BLE001 - report, don't hide the other images
            status, detail = "FAILED", f"{type(exc).__name__}: {exc}"
            say(f"FAILED: {detail}", img.name)
        secs = time.monotonic() - t0
        self.results[img.name] = (status, detail, secs)
        say(f"{status} in {secs:.1f}s {detail}", img.name)
        return self.results[img.name]

    def build_base(self, img: Image):
        log = self.logs / f"{img.name}.log"
        log.write_text("")
        keyring_args, keyring_id = [], "debian-archive-keyring"
        if img.kind == "ubuntu":
            mirror = self.ubuntu_mirror
            reason = probe(f"{mirror}/dists/{img.suite}/Release")
            if reason:
                raise Skip(f"Ubuntu archive not reachable: {reason}")
            if self.args.ubuntu_no_check_gpg:
                loud(f"{img.name}: --ubuntu-no-check-gpg: debootstrap will NOT verify {mirror}")
                keyring_args, keyring_id = ["--no-check-gpg"], "UNVERIFIED"
            else:
                keyring = ubuntu_keyring(self.cache, mirror)
                keyring_args, keyring_id = [f"--keyring={keyring}"], ",".join(UBUNTU_ARCHIVE_FPRS)
        else:
            mirror = self.debian_mirror
        key = self.rootfs_key(img, keyring_id)
        recipe = self.recipe_hash(img, key)
        self.hashes[img.name] = recipe
        if self.is_current(img, recipe):
            return "cached", f"{img.ref} (recipe {recipe})"

        tarball = self.cache / "rootfs" / f"{img.name}-{key}.tar"
        rootfs_ref = f"{ROOTFS_REPO}:{img.name}-{key}"
        how = []
        if not image_id(rootfs_ref):
            if not tarball.is_file() or self.args.force:
                t0 = time.monotonic()
                work = self.cache / "work" / img.name
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir(parents=True)
                cmd = ["debootstrap", "--variant=minbase", f"--include={','.join(img.include)}",
                       *keyring_args, img.suite, str(work), mirror]
                if img.script:
                    cmd.append(f"/usr/share/debootstrap/scripts/{img.script}")
                say(f"debootstrap {img.suite} from {mirror} (log {log})", img.name)
                run(cmd, log=log, env=dict(os.environ))
                tmp = tarball.with_suffix(".tmp")
                run(["tar", "--numeric-owner", "--xattrs", "-C", str(work), "-cf", str(tmp), "."],
                    log=log, env=dict(os.environ))
                tmp.replace(tarball)
                shutil.rmtree(work, ignore_errors=True)
                for old in (self.cache / "rootfs").glob(f"{img.name}-*.tar"):
                    if old != tarball:
                        old.unlink()
                how.append(f"debootstrap {time.monotonic() - t0:.0f}s")
            else:
                how.append("rootfs tarball cached")
            t0 = time.monotonic()
            run(["podman", "import", "--quiet", str(tarball), rootfs_ref], log=log)
            how.append(f"import {time.monotonic() - t0:.0f}s")
        else:
            how.append("rootfs image cached")
        t0 = time.monotonic()
        old = image_id(img.ref)
        run(["podman", "build", "--pull=never", *PODMAN_RUN_ARGS, "-f",
             str(HERE / "Containerfile.systemd"), "--build-arg", f"BASE={rootfs_ref}",
             "--build-arg", f"PACKAGES={SYSTEMD_PACKAGES}",
             "--build-arg", f"EXTRA_MASKS={' '.join(img.masks)}", *self.labels(img, recipe),
             "-t", img.ref, str(HERE)], log=log)
        how.append(f"systemd layer {time.monotonic() - t0:.0f}s")
        self.finish_tag(img, old)
        # rootfs images of older recipes are no longer needed
        for line in run(["podman", "images", "--format", "{{.Repository}}:{{.Tag}}", ROOTFS_REPO],
                        capture=True, check=False).stdout.split():
            if line.startswith(f"{ROOTFS_REPO}:{img.name}-") and line != rootfs_ref:
                run(["podman", "image", "rm", line], check=False, capture=True)
        return "built", f"{img.ref} ({', '.join(how)})"

    def build_layer(self, img: Image):
        log = self.logs / f"{img.name}.log"
        log.write_text("")
        recipe = self.recipe_hash(img)
        self.hashes[img.name] = recipe
        if self.is_current(img, recipe):
            return "cached", f"{img.ref} (recipe {recipe})"
        parent_ref = BY_NAME[img.parent].ref
        if img.kind == "svc":
            cfile, context = HERE / "Containerfile.svc", HERE
            extra = ["--build-arg", f"PACKAGES={SVC_PACKAGES}"]
        else:
            cfile, context = HERE / "Containerfile.spoof", HERE / "spoof" / img.name[len("spoof-"):]
            extra = []
        t0 = time.monotonic()
        old = image_id(img.ref)
        run(["podman", "build", "--pull=never", *PODMAN_RUN_ARGS, "-f", str(cfile),
             "--build-arg", f"BASE={parent_ref}", *extra, *self.labels(img, recipe),
             "-t", img.ref, str(context)], log=log)
        self.finish_tag(img, old)
        return "built", f"{img.ref} (layer {time.monotonic() - t0:.0f}s)"

    def run_all(self, images: list) -> None:
        # Parents are submitted before children, so a child waiting on its parent never starves it.
        order = sorted(images, key=lambda i: (bool(i.parent), IMAGES.index(i)))
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            for img in order:
                self.futures[img.name] = pool.submit(self.build, img)
            for fut in self.futures.values():
                fut.result()


# ---------------------------------------------------------------------------------------- verify
def verify(images: list, ansible: str, ansible216: str | None, report: Path | None) -> int:
    """Boot every image at once, wait for systemd, gather facts through containers.podman.podman
    (one ansible run per controller line), compare with the image's expectations."""
    names = {img.name: f"asr-lab-verify-{img.name}" for img in images}
    state = {}
    facts: dict[str, dict] = {}
    try:
        for img in images:
            run(["podman", "rm", "-f", "-t", "0", names[img.name]], check=False, capture=True)
            proc = run(["podman", "run", "-d", "--name", names[img.name], "--hostname", img.name,
                        "--label", "asr.lab.managed-by=build.py", *PODMAN_RUN_ARGS,
                        "--systemd", "always", "--network", "none", img.ref, "/sbin/init"],
                       check=False, capture=True)
            if proc.returncode != 0:
                state[img.name] = f"run failed: {proc.stderr.strip()[-200:]}"
        deadline = time.monotonic() + 120
        pending = [i for i in images if i.name not in state]
        while pending and time.monotonic() < deadline:
            for img in list(pending):
                proc = run(["podman", "exec", names[img.name], "systemctl", "is-system-running"],
                           check=False, capture=True)
                current = proc.stdout.strip() or proc.stderr.strip()[-80:]
                if current in ("running", "degraded"):
                    state[img.name] = current
                    pending.remove(img)
            if pending:
                time.sleep(1)
        for img in pending:
            state[img.name] = "timeout"
        with tempfile.TemporaryDirectory(prefix="asr-lab-verify-") as tmp:
            for exe, line in ((ansible, "2.19"), (ansible216, "2.16")):
                group = [i for i in images if i.controller == line and state[i.name] != "timeout"
                         and not state[i.name].startswith("run failed")]
                if not group:
                    continue
                if not exe:
                    for img in group:
                        state[img.name] += " (no ansible for core 2.16 given: facts not gathered)"
                    continue
                inv = Path(tmp) / f"core{line}.ini"
                inv.write_text("".join(
                    f"{i.name} ansible_connection=containers.podman.podman "
                    f"ansible_host={names[i.name]} ansible_python_interpreter={i.python}\n"
                    for i in group))
                out = run([exe, "-i", str(inv), "all", "-m", "ansible.builtin.setup", "-a",
                           "gather_subset=!all filter=ansible_distribution*,ansible_os_family"],
                          check=False, capture=True,
                          env=dict(podman_env(), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                                   ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"))
                try:
                    doc = json.loads(out.stdout)
                    hosts = doc["plays"][0]["tasks"][0]["hosts"]
                except (ValueError, KeyError, IndexError):
                    say(f"ansible ({line}) output not understood: "
                        f"{(out.stdout + out.stderr).strip()[-400:]}")
                    hosts = {}
                for img in group:
                    res = hosts.get(img.name, {})
                    facts[img.name] = res.get("ansible_facts", {})
                    if not facts[img.name]:
                        state[img.name] += f" setup failed: {str(res.get('msg', ''))[:200]}"
    finally:
        run(["podman", "rm", "-f", "-t", "0", *names.values()], check=False, capture=True)
    rows, failures = [], 0
    for img in images:
        f = facts.get(img.name, {})
        ok = state[img.name] in ("running", "degraded") and all(
            f.get(k) == v for k, v in img.expect.items())
        failures += 0 if ok else 1
        rows.append((img, state[img.name], f, ok))
        say(f"{'ok' if ok else 'MISMATCH'} systemd={state[img.name]} "
            f"{f.get('ansible_distribution')} {f.get('ansible_distribution_version')} "
            f"family={f.get('ansible_os_family')}", img.name)
    lines = ["| image | systemd | ansible_distribution | ansible_distribution_version | "
             "major | release | ansible_os_family | expected | result |",
             "|---|---|---|---|---|---|---|---|---|"]
    for img, state, f, ok in rows:
        exp = " ".join(img.expect.get(k, "") for k in
                       ("ansible_distribution", "ansible_distribution_version",
                        "ansible_distribution_major_version") if k in img.expect) or "-"
        lines.append(f"| `{img.ref}` | {state} | {f.get('ansible_distribution', '-')} | "
                     f"{f.get('ansible_distribution_version', '-')} | "
                     f"{f.get('ansible_distribution_major_version', '-')} | "
                     f"{f.get('ansible_distribution_release', '-')} | "
                     f"{f.get('ansible_os_family', '-')} | {exp} | {'ok' if ok else 'MISMATCH'} |")
    table = "\n".join(lines)
    print("\n" + table)
    if report:
        report.write_text(table + "\n")
        print(f"(table written to {report})")
    return failures


# ------------------------------------------------------------------------------------------- main
def ensure_host_tools() -> None:
    missing = [t for t in ("podman", "runc", "debootstrap") if not shutil.which(t)
               and not os.path.exists(f"/usr/sbin/{t}")]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: run `apt-get install -y podman runc "
                         f"debootstrap` (make lab-deps does)")
    if os.geteuid() != 0:
        raise SystemExit("build.py needs root (debootstrap, rootful podman)")


def select(args) -> list:
    if args.only:
        unknown = [n for n in args.only if n not in BY_NAME]
        if unknown:
            raise SystemExit(f"unknown image(s) {unknown}; known: {', '.join(BY_NAME)}")
        wanted = set(args.only)
        # parents come along (they are cheap when cached)
        for n in list(wanted):
            while BY_NAME[n].parent:
                n = BY_NAME[n].parent
                wanted.add(n)
        return [i for i in IMAGES if i.name in wanted]
    groups = {"required": ("required",), "all": ("required", "optional")}[args.set]
    return [i for i in IMAGES if i.group in groups]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 1)[1])
    ap.add_argument("--set", choices=("required", "all"), default="required",
                    help="required: debian11/12/13, svc, spoof-*; all: plus Ubuntu (opt-in)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="build just these (and their parents)")
    ap.add_argument("--force", action="store_true", help="rebuild even when the recipe matches")
    ap.add_argument("--cache-dir", default=DEFAULT_CACHE,
                    help="debootstrap tarballs, keyrings, logs (default %(default)s)")
    ap.add_argument("--jobs", type=int, default=3, help="parallel builds (default %(default)s)")
    ap.add_argument("--debian-mirror", help="default: derived from /etc/apt/sources.list*")
    ap.add_argument("--ubuntu-mirror", help=f"default: apt config, else {UBUNTU_DEFAULT_MIRROR}")
    ap.add_argument("--ubuntu-no-check-gpg", action="store_true",
                    help="debootstrap Ubuntu without signature checks (loudly warned; only when "
                         "the pinned keyring cannot be fetched)")
    ap.add_argument("--verify", action="store_true",
                    help="after building, boot each spoofed image and compare gathered facts")
    ap.add_argument("--verify-all", action="store_true", help="verify every selected image")
    ap.add_argument("--ansible", default=shutil.which("ansible"), help="ansible for --verify")
    ap.add_argument("--ansible216", help="ansible (core 2.16) for Python 2.7/3.6 images")
    ap.add_argument("--report", type=Path, help="write the --verify table (markdown) here")
    ap.add_argument("--list", action="store_true", help="list the images and exit")
    args = ap.parse_args(argv)

    if args.list:
        for i in IMAGES:
            print(f"{i.ref:38} {i.group:9} {i.description}")
        return 0
    ensure_host_tools()
    os.environ.setdefault("CONTAINERS_CONF", str(CONTAINERS_CONF))
    images = select(args)
    b = Builder(args)
    say(f"Debian mirror: {b.debian_mirror} | Ubuntu mirror: {b.ubuntu_mirror} | cache: {b.cache}")
    t0 = time.monotonic()
    b.run_all(images)
    total = time.monotonic() - t0

    print(f"\n{'image':38} {'status':8} {'secs':>6}  detail")
    for img in images:
        status, detail, secs = b.results[img.name]
        print(f"{img.ref:38} {status:8} {secs:6.1f}  {detail}")
    print(f"total {total:.1f}s")
    failed = [i for i in images if b.results[i.name][0] == "FAILED"
              or (b.results[i.name][0] == "SKIPPED" and i.group == "required")]
    skipped = [i.name for i in images if b.results[i.name][0] == "SKIPPED"]
    if skipped:
        loud(f"SKIPPED: {', '.join(skipped)} (see reasons above)")

    rc = 1 if failed else 0
    if args.verify or args.verify_all:
        to_verify = [i for i in images if b.results[i.name][0] in ("built", "cached")
                     and (args.verify_all or i.kind == "spoof")]
        if not args.ansible:
            raise SystemExit("--verify needs ansible (pass --ansible .venv/bin/ansible)")
        if verify(to_verify, args.ansible, args.ansible216, args.report):
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
