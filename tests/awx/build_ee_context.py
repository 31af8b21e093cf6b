# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the execution environment's build context (no image):

    python3 tests/awx/build_ee_context.py [--root DIR] [--offline]

1. the collection tarball from the files git knows about (tracked, and untracked but not ignored,
   as `make atest-tree` does) -> <root>/build/ee/asr-mobility.tar.gz (the name
   execution-environment.yml expects);
2. `ansible-builder create` on <root>/execution-environment.yml -> <root>/build/ee/context.

--root defaults to the repository (tests pass a copy). --offline runs ansible-builder without a
network (unshare -n), to prove `create` needs none. Prints the context directory.
"""

from __future__ import annotations

import argparse
import glob
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def git_files(repo: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "ls-files", "-co", "--exclude-standard", "-z"],
                         check=True, stdout=subprocess.PIPE).stdout.decode()
    return [f for f in out.split("\0") if f and (repo / f).is_file()]


def build_tarball(repo: Path, dest: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="asr-ee-src-") as tmp:
        src = Path(tmp) / "asr" / "mobility"
        for name in git_files(repo):
            target = src / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / name, target)
        out = Path(tmp) / "out"
        subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out),
                        str(src)], check=True, stdout=subprocess.DEVNULL)
        built = glob.glob(str(out / "asr-mobility-*.tar.gz"))
        assert len(built) == 1, built
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], dest)
    return dest


def can_unshare() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-n", "true"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode == 0


def create(root: Path, offline: bool = False) -> Path:
    context = root / "build" / "ee" / "context"
    shutil.rmtree(context, ignore_errors=True)
    cmd = [str(BIN / "ansible-builder"), "create", "-f", str(root / "execution-environment.yml"), "-c", str(context),
           "--output-filename", "Containerfile", "-v", "1"]
    if offline:
        if not can_unshare():
            raise SystemExit("--offline needs `unshare -n` (root or user namespaces)")
        cmd = ["unshare", "-n"] + cmd
    subprocess.run(cmd, check=True, cwd=str(root), stdout=subprocess.DEVNULL)
    return context


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=str(REPO), help="directory holding execution-environment.yml")
    parser.add_argument("--offline", action="store_true", help="run ansible-builder without a network")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    build_tarball(REPO, root / "build" / "ee" / "asr-mobility.tar.gz")
    print(create(root, offline=args.offline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
