# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""awx/: surveys, credential types and job templates against the playbooks and roles they drive,
and awx/configure_awx.yml run for real (awx.awx, bundled in the `ansible` package) against a
stand-in AWX API (fake_awx.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
import yaml

from fake_awx import FakeAWX, validate_survey

REPO = Path(__file__).resolve().parents[2]
AWX = REPO / "awx"
BIN = Path(sys.executable).parent
COLLECTIONS = REPO / "build" / "collections"


class UnsafeLoader(yaml.SafeLoader):
    """Reads Ansible's !unsafe tag as a plain string (what Ansible hands the module)."""


UnsafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load(path):
    return yaml.load(Path(path).read_text(), Loader=UnsafeLoader)


TEMPLATES = load(AWX / "job_templates.yml")["asr_awx_job_templates"]
CREDENTIAL_TYPES = load(AWX / "credential_types.yml")["asr_awx_credential_types"]
ROLE_SPEC = load(REPO / "roles/mobility_service/meta/argument_specs.yml")["argument_specs"]["main"]["options"]


def role_options(role):
    """Every option of every entry point of roles/<role>/meta/argument_specs.yml."""
    specs = load(REPO / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]
    options = {}
    for entry in specs.values():
        options.update(entry.get("options") or {})
    return options


def playbook_interface(playbook):
    """(role options by name, playbook-level variables) for one playbook of the project."""
    path = REPO / playbook
    text = path.read_text()
    roles = set(re.findall(r"asr\.mobility\.([a-z_]+)", text)) & {p.name for p in (REPO / "roles").iterdir()}
    options = {}
    for role in roles:
        options.update(role_options(role))
    # Playbook variables: the asr_* names the playbook itself reads (hosts, serial, ...).
    play_vars = set(re.findall(r"\b(asr_[a-z0-9_]+)\b", text))
    return options, play_vars


def ids(items):
    return [i["name"] for i in items]


# ---------------------------------------------------------------------------------------------
# Job templates and surveys

def test_the_job_templates():
    playbooks = {t["playbook"] for t in TEMPLATES}
    assert playbooks == {"playbooks/deploy_mobility.yml", "playbooks/uninstall_mobility.yml",
                         "playbooks/post_failover.yml", "playbooks/mobility_report.yml",
                         "playbooks/harvest_agent_config.yml", "playbooks/migrate_to_modernized.yml"}
    assert len(set(ids(TEMPLATES))) == len(TEMPLATES)
    for t in TEMPLATES:
        assert (REPO / t["playbook"]).is_file(), "%s: %s is not in the project" % (t["name"], t["playbook"])
        assert set(t["credential_kinds"]) <= {"machine", "vault", "cs", "appliance"}


@pytest.mark.parametrize("template", TEMPLATES, ids=ids(TEMPLATES))
def test_survey_is_valid_for_awx(template):
    assert validate_survey(template["survey"]) == []


@pytest.mark.parametrize("template", TEMPLATES, ids=ids(TEMPLATES))
def test_every_survey_variable_is_read_by_the_playbook(template):
    options, play_vars = playbook_interface(template["playbook"])
    for q in template["survey"]["spec"]:
        var = q["variable"]
        assert var in options or var in play_vars, (
            "%s: survey variable %s is neither an argument of the playbook's roles nor a variable the playbook "
            "reads" % (template["name"], var))
        spec = options.get(var)
        if spec is None:
            continue
        if q["type"] == "integer":
            assert spec.get("type") == "int", var
        if q["type"] in ("text", "textarea", "password", "multiplechoice"):
            assert spec.get("type", "str") == "str", var
        if q["type"] == "multiplechoice" and spec.get("choices"):
            assert set(q["choices"]) <= set(spec["choices"]), (var, q["choices"], spec["choices"])
        if q["type"] == "password" or spec.get("no_log"):
            pytest.fail("%s: %s is a secret; secrets come from credentials, never surveys" % (template["name"], var))


def test_surveys_cover_what_the_issue_asks():
    by_play = {t["playbook"]: {q["variable"] for q in t["survey"]["spec"]} for t in TEMPLATES
               if not t.get("extra_vars")}
    assert by_play["playbooks/deploy_mobility.yml"] == {
        "asr_mobility_target", "mobility_service_state", "mobility_service_version",
        "mobility_service_control_plane", "asr_mobility_serial", "asr_mobility_max_fail_percentage",
        "mobility_service_reboot"}
    # Extra variables beat the playbook's `mobility_service_state: absent`: the uninstall survey must
    # never ask for a state (nor anything an uninstall ignores).
    assert by_play["playbooks/uninstall_mobility.yml"] == {
        "asr_mobility_target", "asr_mobility_serial", "asr_mobility_max_fail_percentage", "mobility_service_reboot"}
    assert {"asr_post_failover_target", "asr_post_failover_serial"} <= by_play["playbooks/post_failover.yml"]
    assert "asr_mobility_target" in by_play["playbooks/mobility_report.yml"]


def test_modernized_rollout_and_harvest_templates():
    """Issue 14: the modernized rollout fixes the control plane and asks where each host's config comes from
    (never the config itself: secrets come from credentials); the harvest changes nothing and is not sliced."""
    by_name = {t["name"]: t for t in TEMPLATES}
    rollout = by_name["ASR Mobility Service | Modernized rollout"]
    assert rollout["playbook"] == "playbooks/deploy_mobility.yml"
    assert rollout["extra_vars"] == {"mobility_service_control_plane": "modernized"}
    asked = {q["variable"]: q for q in rollout["survey"]["spec"]}
    assert {"mobility_service_config_source", "mobility_service_appliance", "mobility_service_config_dir",
            "mobility_service_appliance_parallel", "asr_mobility_serial"} <= set(asked)
    assert "mobility_service_config" not in asked and "mobility_service_control_plane" not in asked
    assert asked["mobility_service_config_source"]["default"] == "appliance"
    harvest = by_name["ASR Mobility Service | Harvest Agent Config Input"]
    assert harvest["playbook"] == "playbooks/harvest_agent_config.yml"
    assert harvest["ask_job_slice_count_on_launch"] is False and "cs" not in harvest["credential_kinds"]
    assert {q["variable"] for q in harvest["survey"]["spec"]} == {"asr_mobility_target", "asr_mobility_harvest_dir"}
    migrate = by_name["ASR Mobility Service | Migrate to modernized"]
    assert {q["variable"]: q["default"] for q in migrate["survey"]["spec"]}["asr_mobility_serial"] == "1"


def test_control_plane_has_no_default():
    deploy = next(t for t in TEMPLATES if t["playbook"] == "playbooks/deploy_mobility.yml")
    q = next(q for q in deploy["survey"]["spec"] if q["variable"] == "mobility_service_control_plane")
    assert q["required"] is True and q["default"] == ""


def test_report_is_not_sliced():
    report = next(t for t in TEMPLATES if t["playbook"] == "playbooks/mobility_report.yml")
    assert report["ask_job_slice_count_on_launch"] is False   # one report, not one per slice


# ---------------------------------------------------------------------------------------------
# Credential types

@pytest.mark.parametrize("ctype", CREDENTIAL_TYPES, ids=ids(CREDENTIAL_TYPES))
def test_credential_type_shape(ctype):
    assert ctype["kind"] in ("cloud", "net")          # the kinds AWX lets users create
    fields = ctype["inputs"]["fields"]
    field_ids = [f["id"] for f in fields]
    assert len(set(field_ids)) == len(field_ids)
    for f in fields:
        assert set(f) <= {"id", "label", "type", "secret", "multiline", "help_text", "format", "choices", "default"}
        assert f["type"] in ("string", "boolean") and f["label"]
    assert set(ctype["inputs"].get("required", [])) <= set(field_ids)
    assert set(ctype["injectors"]) <= {"extra_vars", "env", "file"}


@pytest.mark.parametrize("ctype", CREDENTIAL_TYPES, ids=ids(CREDENTIAL_TYPES))
def test_every_injector_feeds_a_variable_the_role_reads(ctype):
    fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
    env = jinja2.Environment()
    used = set()
    for var, template in ctype["injectors"].get("extra_vars", {}).items():
        assert var in ROLE_SPEC, "%s injects %s, which mobility_service does not read" % (ctype["name"], var)
        refs = jinja2.meta.find_undeclared_variables(env.parse(template)) - {"tower"}
        assert refs and refs <= set(fields), (var, refs)
        used |= refs
        for ref in refs:
            if fields[ref].get("secret"):
                assert ROLE_SPEC[var].get("no_log") is True, "%s carries a secret but is not no_log" % var
    assert used == set(fields), "inputs nobody receives: %s" % sorted(set(fields) - used)
    # Secrets never travel in environment variables (visible to every process of the job).
    for var, template in (ctype["injectors"].get("env") or {}).items():
        refs = jinja2.meta.find_undeclared_variables(env.parse(template))
        assert not any(fields.get(r, {}).get("secret") for r in refs), var


def test_both_control_planes_have_a_credential_type():
    injected = set()
    for ctype in CREDENTIAL_TYPES:
        injected |= set(ctype["injectors"].get("extra_vars", {}))
    assert {"mobility_service_cs_address", "mobility_service_passphrase", "mobility_service_config"} <= injected


# ---------------------------------------------------------------------------------------------
# configure_awx.yml

def ansible_env(**extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_FORCE_COLOR="false",
               ANSIBLE_NOCOLOR="true", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
               ANSIBLE_PIPELINING="true")
    env.update(extra)
    return env


def playbook(*args, env=None):
    return subprocess.run([str(BIN / "ansible-playbook"), str(AWX / "configure_awx.yml"), *args],
                          env=env or ansible_env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=600, cwd=str(REPO), check=False)


def test_awx_awx_is_installed_from_its_declared_source():
    """ansible 14 does not bundle awx.awx: `make awx-collection` copies it from the ansible 13.8
    wheel (tests/requirements-awx.txt) into build/collections; awx/requirements.yml declares it."""
    out = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "list", "awx.awx", "--format", "json"],
                         env=ansible_env(), text=True, stdout=subprocess.PIPE, check=True).stdout
    found = {path: v["awx.awx"]["version"] for path, v in json.loads(out).items() if "awx.awx" in v}
    assert found, "awx.awx is not installed: make awx-collection (source: tests/requirements-awx.txt)"
    assert any(path.startswith(str(REPO / "build" / "collections")) for path in found), found


def test_syntax_check():
    proc = playbook("--syntax-check")
    assert proc.returncode == 0, proc.stdout


SEED = {
    "organizations": [{"name": "Default"}],
    "credential_types": [
        {"name": "Machine", "kind": "ssh", "managed": True,
         "inputs": {"fields": [{"id": "username", "label": "Username", "type": "string"}]}},
        {"name": "Vault", "kind": "vault", "managed": True,
         "inputs": {"fields": [{"id": "vault_password", "label": "Vault Password", "type": "string", "secret": True}]}},
    ],
}
PASSPHRASE = "Pa55-configure-awx-7c1e"
CONFIG_JSON = '{"ApplianceFqdn": "appliance.example", "Secret": "cfg-4b9d-%s"}' % "x"


@pytest.fixture(scope="module")
def configured():
    with FakeAWX(SEED) as awx:
        store = awx.store
        org = store.find("organizations", "Default")["id"]
        store.create("inventories", {"name": "ASR fleet", "organization": org})
        for name, kind, inputs in (("fleet ssh", "Machine", {"username": "ansible"}),
                                   ("fleet vault", "Vault", {"vault_password": "v"})):
            store.create("credentials", {"name": name, "organization": org, "inputs": inputs,
                                         "credential_type": store.find("credential_types", kind)["id"]})
        site = {"asr_awx_project_scm_url": "https://git.example/asr/mobility.git",
                "asr_awx_execution_environment_image": "registry.example/asr-mobility-ee:0.1.0",
                "asr_awx_inventory": "ASR fleet", "asr_awx_machine_credential": "fleet ssh",
                "asr_awx_vault_credential": "fleet vault", "asr_awx_job_slice_count": 2,
                "asr_awx_cs_credential": {"name": "ASR CS", "cs_address": "10.0.0.5", "passphrase": PASSPHRASE},
                "asr_awx_appliance_credential": {"name": "ASR appliance", "config_json": CONFIG_JSON}}
        env = ansible_env(CONTROLLER_HOST=awx.url, CONTROLLER_OAUTH_TOKEN=awx.token, CONTROLLER_VERIFY_SSL="false")
        first = playbook("-e", json.dumps(site), env=env)
        second = playbook("-e", json.dumps(site), env=env)
        missing = playbook("-e", json.dumps({"asr_awx_inventory": "ASR fleet"}), env=env)
        yield {"store": store, "first": first, "second": second, "missing": missing, "log": list(awx.log)}


def test_configure_runs(configured):
    assert configured["first"].returncode == 0, configured["first"].stdout[-4000:]
    assert configured["second"].returncode == 0, configured["second"].stdout[-4000:]


def test_configure_is_idempotent_but_for_secrets(configured):
    out = configured["second"].stdout
    changed_tasks = set()
    task = None
    for line in out.splitlines():
        if line.startswith("TASK ["):
            task = line[6:line.index("]")]
        elif line.startswith("changed:"):
            changed_tasks.add(task)
    # AWX never returns stored secrets, so credentials are rewritten (asr_awx_update_secrets).
    assert changed_tasks <= {"Configuration server credential", "Replication appliance credential"}, changed_tasks


def test_objects_created(configured):
    store = configured["store"]
    objects = store.objects
    jts = {o["name"]: o for o in objects["job_templates"].values()}
    assert set(jts) == set(ids(TEMPLATES))
    ee = store.find("execution_environments", "asr.mobility EE")
    project = store.find("projects", "asr.mobility")
    assert ee["image"] == "registry.example/asr-mobility-ee:0.1.0"
    assert project["scm_url"].endswith("mobility.git") and project["default_environment"] == ee["id"]
    creds = {o["id"]: o["name"] for o in objects["credentials"].values()}
    wanted = {"machine": "fleet ssh", "vault": "fleet vault", "cs": "ASR CS", "appliance": "ASR appliance"}
    for t in TEMPLATES:
        jt = jts[t["name"]]
        assert jt["playbook"] == t["playbook"] and jt["execution_environment"] == ee["id"]
        assert jt["project"] == project["id"] and jt["survey_enabled"] is True and jt["become_enabled"] is False
        assert store.surveys[jt["id"]] == t["survey"], t["name"]
        attached = {creds[i] for i in store.assoc.get(("job_templates", jt["id"], "credentials"), [])}
        assert attached == {wanted[k] for k in t["credential_kinds"]}, t["name"]
        assert jt["job_slice_count"] == (2 if t["ask_job_slice_count_on_launch"] else 1)
        extra = jt.get("extra_vars") or {}
        extra = (yaml.safe_load(extra) or {}) if isinstance(extra, str) else extra
        assert extra == t.get("extra_vars", {}), t["name"]
    ctypes = {o["name"]: o for o in objects["credential_types"].values()}
    for c in CREDENTIAL_TYPES:
        assert ctypes[c["name"]]["injectors"] == c["injectors"]       # templates reach AWX unrendered
        assert "{{" in json.dumps(ctypes[c["name"]]["injectors"])
    cs = store.find("credentials", "ASR CS")
    assert cs["inputs"] == {"cs_address": "10.0.0.5", "passphrase": PASSPHRASE}
    assert cs["credential_type"] == ctypes["ASR configuration server"]["id"]


def test_no_secret_in_the_playbook_output(configured):
    for run in ("first", "second"):
        assert PASSPHRASE not in configured[run].stdout and "cfg-4b9d" not in configured[run].stdout


def test_missing_site_settings_are_refused_before_any_request(configured):
    assert configured["missing"].returncode != 0
    assert "asr_awx_project_scm_url" in configured["missing"].stdout
