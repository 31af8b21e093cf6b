# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""execution-environment.yml and meta/execution-environment.yml: `ansible-builder create` builds
the context offline, and the context holds what the image build needs (no image is built)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

import build_ee_context

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    root = tmp_path_factory.mktemp("ee")
    shutil.copy2(REPO / "execution-environment.yml", root / "execution-environment.yml")
    build_ee_context.build_tarball(REPO, root / "build" / "ee" / "asr-mobility.tar.gz")
    offline = build_ee_context.can_unshare()
    return build_ee_context.create(root, offline=offline), offline, root


def test_definition_is_schema_v3():
    ee = yaml.safe_load((REPO / "execution-environment.yml").read_text())
    assert ee["version"] == 3
    deps = ee["dependencies"]
    assert deps["ansible_core"]["package_pip"].startswith("ansible-core")
    assert deps["ansible_runner"]["package_pip"].startswith("ansible-runner")


def test_create_works_offline(context):
    ctx, offline = context[0], context[1]
    if not offline:
        pytest.skip("no `unshare -n` here: create ran with the network available")
    assert (ctx / "Containerfile").is_file()


def test_containerfile(context):
    ctx = context[0]
    text = (ctx / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in text
    assert "COPY _build/collections/ /build/collections/" in text
    assert re.search(r"ansible-galaxy collection install .* -r requirements.yml", text)
    assert "introspect.py introspect" in text


def test_requirements(context):
    ctx = context[0]
    galaxy = yaml.safe_load((ctx / "_build" / "requirements.yml").read_text())
    names = {c["name"] for c in galaxy["collections"]}
    assert {"/build/collections/asr-mobility.tar.gz", "ansible.windows", "awx.awx"} <= names
    python = (ctx / "_build" / "requirements.txt").read_text()
    for pkg in ("pywinrm", "jmespath"):
        assert re.search(r"^%s\b" % pkg, python, re.M), python


def test_collection_tarball_in_context(context):
    ctx = context[0]
    tarball = ctx / "_build" / "collections" / "asr-mobility.tar.gz"
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    with tarfile.open(tarball) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))["collection_info"]
        members = set(tar.getnames())
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == ("asr", "mobility", galaxy["version"])
    assert {"meta/execution-environment.yml", "meta/ee-requirements.txt", "meta/ee-bindep.txt"} <= members
    # AWX runs the project's playbooks; the roles and plugins they name come from this collection.
    for playbook in ("deploy_mobility", "uninstall_mobility", "mobility_report"):
        text = (REPO / "playbooks" / (playbook + ".yml")).read_text()
        for role in set(re.findall(r"asr\.mobility\.([a-z_]+)", text)) & {p.name for p in (REPO / "roles").iterdir()}:
            assert "roles/%s/tasks/main.yml" % role in members, role
    assert "plugins/filter/report.py" in members and "plugins/modules/agent_info.py" in members


def test_introspection_finds_the_collections_python_needs(context, tmp_path):
    """What the builder stage runs inside the image, run here on the tarball installed offline."""
    ctx = context[0]
    colls = tmp_path / "colls"
    # Without the caller's collection paths: asr.mobility found there would count as "already installed".
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_COLLECTIONS_PATH")}
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "--no-deps", "--force",
                    "-p", str(colls), str(ctx / "_build" / "collections" / "asr-mobility.tar.gz")], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    assert (colls / "ansible_collections" / "asr" / "mobility" / "MANIFEST.json").is_file()
    out = tmp_path / "pip.txt"
    subprocess.run([sys.executable, str(ctx / "_build" / "scripts" / "introspect.py"), "introspect", str(colls),
                    "--write-pip", str(out), "--write-bindep", str(tmp_path / "bindep.txt")], check=True,
                   stdout=subprocess.DEVNULL)
    lines = out.read_text().splitlines()
    assert any(l.startswith("pywinrm") and "from collection asr.mobility" in l for l in lines), lines
    assert any(l.startswith("jmespath") and "from collection asr.mobility" in l for l in lines), lines
    bindep = (tmp_path / "bindep.txt").read_text()
    assert "openssh-clients [platform:rpm]  # from collection asr.mobility" in bindep
