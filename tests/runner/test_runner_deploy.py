# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run as AWX runs it: playbooks through ansible-runner with a private data directory laid out as
AWX lays it out (awx_layout.py), against the podman lab (conftest.py).

1. Deploy, one job: every host installed and registered with the fake configuration server,
   which only accepts the passphrase that came in through the credential file.
2. Uninstall, one job.
3. Deploy again as two job slices running at the same time, each on a disjoint half of the
   inventory (AWX job slicing): each slice reports only its hosts, together all of them.
4. The fleet report as a job (plus an unreachable host), rendered in headless Chromium.

Per-host outcomes come from the runner's job events. The passphrase appears in no file under any
job's artifacts/ directory.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import jinja2
import jinja2.sandbox
import pytest
import yaml

import ansible_runner

from awx_layout import (REPO, events, grep_tree, host_stats, inventory_json, private_data_dir, project_checkout,
                        slice_hosts, task_results)
from conftest import VERSION, cs_registrations

# The installer is named 9.66.7567.1; the installed agent reads back as 9.66.7567.0 (.vx_version
# VERSION=9.66.0.0 + the build from BUILD_TAG; the revision is not recorded on disk).
INSTALLED = ".".join(VERSION.split(".")[:3]) + ".0"
from helpers import ReportDOM, dump_dom

BIN = Path(sys.executable).parent
DURATIONS = {}


class UnsafeLoader(yaml.SafeLoader):
    pass


UnsafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def awx_file(name, key):
    return yaml.load((REPO / "awx" / name).read_text(), Loader=UnsafeLoader)[key]


def template(name_part):
    return next(t for t in awx_file("job_templates.yml", "asr_awx_job_templates") if name_part in t["name"])


def survey_answers(tmpl, **answers):
    """The survey's defaults, then the operator's answers (what AWX puts in extravars)."""
    out = {q["variable"]: q["default"] for q in tmpl["survey"]["spec"] if q.get("default") not in (None, "")}
    out.update(answers)
    return out


def credential_extravars(type_name, inputs):
    """Render a credential type's extra_vars injectors with its inputs, as AWX does."""
    ctype = next(c for c in awx_file("credential_types.yml", "asr_awx_credential_types") if c["name"] == type_name)
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    return {k: env.from_string(v).render(**inputs) for k, v in ctype["injectors"]["extra_vars"].items()}


@pytest.fixture(scope="module")
def awx(lab, tmp_path_factory):
    """Everything the jobs share: the inventory (as AWX holds it), the project checkout, the credential."""
    base = tmp_path_factory.mktemp("awx-jobs")
    lab_inv = lab["inventory"]
    group = lab_inv["all"]["children"]["asr_mobility"]
    hostvars = {h: dict(v) for h, v in group["hosts"].items()}
    lab_vars = lab["vars"]
    # Inventory variables an AWX admin would set for this site (no secrets: those are credentials).
    group_vars = {
        "mobility_service_cs_port": int(lab_vars["asr_lab_cs_port"]),
        "mobility_service_installer_source": "url",
        "mobility_service_installer_url": lab_vars["asr_lab_mirror_url"],
        # The lab mirror is plain http on the lab network: accepted explicitly (every run warns).
        "mobility_service_allow_insecure_http": True,
        "mobility_service_process_server_port": int(lab_vars["asr_lab_cs_port"]),
        "mobility_service_become": False,
    }
    for host in hostvars.values():
        host.update(lab_vars)
    groups = {"asr_mobility": {"hosts": sorted(hostvars), "vars": group_vars}}
    project = project_checkout(base / "project-checkout")
    cs_credential = credential_extravars("ASR configuration server",
                                         {"cs_address": lab_vars["asr_lab_cs_address"], "passphrase": lab["passphrase"]})
    return {"base": base, "groups": groups, "hostvars": hostvars, "project": project, "cs": cs_credential,
            "hosts": sorted(hostvars), "passphrase": lab["passphrase"], "cs_url": lab_vars["asr_lab_cs_url"],
            "pdds": []}


def launch(awx, job_id, tmpl, answers, only=None, credentials=(), extra_hosts=None, wait=True):
    hostvars = dict(awx["hostvars"], **(extra_hosts or {}))
    groups = json.loads(json.dumps(awx["groups"]))
    groups["asr_mobility"]["hosts"] += sorted(extra_hosts or {})
    pdd = private_data_dir(
        awx["base"], job_id=job_id, template_name=tmpl["name"], playbook=tmpl["playbook"],
        inventory=inventory_json(groups, hostvars, only=only), extravars=answers, credential_extravars=credentials,
        envvars={"PATH": "%s:%s" % (BIN, os.environ.get("PATH", ""))}, project=awx["project"])
    awx["pdds"].append(pdd)
    ident = "job_%d" % job_id
    kwargs = dict(private_data_dir=str(pdd), playbook=tmpl["playbook"], ident=ident, quiet=True)
    if wait:
        started = time.monotonic()
        runner = ansible_runner.run(**kwargs)
        DURATIONS[ident] = round(time.monotonic() - started, 1)
        return pdd, ident, runner
    thread, runner = ansible_runner.run_async(**kwargs)
    return pdd, ident, (thread, runner)


def stdout_tail(pdd, ident):
    path = pdd / "artifacts" / ident / "stdout"
    return path.read_text()[-6000:] if path.exists() else "(no stdout)"


def assert_deployed(evts, hosts):
    stats = host_stats(evts)
    results = task_results(evts, "Record the outcome")
    for host in hosts:
        assert stats[host]["failures"] == 0 and stats[host]["dark"] == 0, (host, stats[host])
        facts = results[host]["ansible_facts"]["mobility_service_result"]
        assert facts["failed"] is False and facts["version_after"] == INSTALLED and facts["registered"] is True, facts
    return stats, results


# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def deploy(awx):
    tmpl = template("Deploy")
    answers = survey_answers(tmpl, mobility_service_control_plane="classic", mobility_service_state="latest")
    pdd, ident, runner = launch(awx, 101, tmpl, answers, credentials=[awx["cs"]])
    return pdd, ident, runner


def test_deploy_one_job(awx, deploy):
    pdd, ident, runner = deploy
    assert runner.status == "successful" and runner.rc == 0, stdout_tail(pdd, ident)
    evts = events(pdd, ident)
    stats, results = assert_deployed(evts, awx["hosts"])
    for host in awx["hosts"]:
        assert stats[host]["changed"] > 0 and results[host]["ansible_facts"]["mobility_service_result"]["actions"]
    registrations = cs_registrations(awx["cs_url"])
    assert all(registrations.get(h, 0) >= 1 for h in awx["hosts"]), registrations


def test_credential_reached_the_job_as_a_file_only(deploy):
    pdd, ident = deploy[0], deploy[1]
    cmdline = (pdd / "env" / "cmdline").read_text()
    cred_file = Path(cmdline.split("@", 1)[1].split()[0])
    assert cred_file.parent == pdd / "env" and oct(cred_file.stat().st_mode & 0o777) == "0o400"
    assert "!unsafe" in cred_file.read_text()
    command = json.loads((pdd / "artifacts" / ident / "command").read_text())
    assert "-e" in command["command"] and "@%s" % cred_file in command["command"]


@pytest.fixture(scope="module")
def uninstall(awx, deploy):
    tmpl = template("Uninstall")
    return launch(awx, 102, tmpl, survey_answers(tmpl))


def test_uninstall_one_job(awx, uninstall):
    pdd, ident, runner = uninstall
    assert runner.status == "successful", stdout_tail(pdd, ident)
    stats = host_stats(events(pdd, ident))
    results = task_results(events(pdd, ident), "Record the outcome")
    for host in awx["hosts"]:
        assert stats[host]["failures"] == 0 and stats[host]["changed"] > 0, (host, stats[host])
        assert results[host]["ansible_facts"]["mobility_service_result"]["version_after"] in (None, ""), host


@pytest.fixture(scope="module")
def slices(awx, uninstall):
    """Two slice jobs at once, like AWX on two execution nodes."""
    tmpl = template("Deploy")
    answers = survey_answers(tmpl, mobility_service_control_plane="classic", mobility_service_state="latest")
    before = cs_registrations(awx["cs_url"])
    jobs = []
    started = time.monotonic()
    for number in (1, 2):
        part = slice_hosts(awx["hosts"], number, 2)
        pdd, ident, (thread, runner) = launch(awx, 102 + number, tmpl, answers, only=part, credentials=[awx["cs"]],
                                              wait=False)
        jobs.append((part, pdd, ident, thread, runner))
    for job in jobs:
        job[3].join(timeout=1800)
    DURATIONS["slices_1_and_2_concurrently"] = round(time.monotonic() - started, 1)
    return jobs, before


def test_deploy_two_slices(awx, slices):
    jobs, before = slices
    seen = []
    for part, pdd, ident, _thread, runner in jobs:
        assert runner.status == "successful", stdout_tail(pdd, ident)
        evts = events(pdd, ident)
        stats = host_stats(evts)
        # Only this slice's hosts (and localhost, the summary play) appear in this job.
        assert set(stats) - {"localhost"} == set(part), (ident, sorted(stats), part)
        assert_deployed(evts, part)
        seen.append(set(part))
    assert seen[0].isdisjoint(seen[1]) and seen[0] | seen[1] == set(awx["hosts"])
    after = cs_registrations(awx["cs_url"])
    for host in awx["hosts"]:
        assert after.get(host, 0) > before.get(host, 0), (host, before, after)


@pytest.fixture(scope="module")
def report(awx, slices):
    tmpl = template("Fleet report")
    out = awx["base"] / "report"
    answers = survey_answers(tmpl)
    gone = {"rgone": {"ansible_connection": "containers.podman.podman", "ansible_host": "asr-lab-rgone-absent",
                      "ansible_python_interpreter": "/usr/bin/python3"}}
    pdd, ident, runner = launch(awx, 105, tmpl, dict(answers, mobility_report_dir=str(out)), extra_hosts=gone)
    return pdd, ident, runner, out


def test_report_job(awx, report):
    pdd, ident, runner, out = report
    assert runner.status == "successful", stdout_tail(pdd, ident)
    doc = json.loads((out / "asr-mobility-report.json").read_text())
    rows = {r["host"]: r for r in doc["hosts"]}
    assert set(rows) == set(awx["hosts"]) | {"rgone"}
    for host in awx["hosts"]:
        r = rows[host]
        assert (r["status"], r["installed"], r["version"], r["registered"], r["control_plane"]) == \
            ("ok", True, INSTALLED, True, "classic"), r
    assert rows["rgone"]["status"] == "unreachable"
    # set_stats: AWX shows these as the job's artifacts.
    stats_event = [e for e in events(pdd, ident) if e.get("event") == "playbook_on_stats"][0]
    counts = stats_event["event_data"]["artifact_data"]["asr_mobility_report"]
    assert counts["hosts"] == len(awx["hosts"]) + 1 and counts["unreachable"] == 1


def test_report_in_chromium_shows_the_lab(awx, report):
    out = report[3]
    page = out / "asr-mobility-report.html"
    dom = ReportDOM(dump_dom(page))
    assert set(dom.hosts) == set(awx["hosts"]) | {"rgone"}
    assert dom.cards["hosts"] == len(awx["hosts"]) + 1 and dom.cards["unreachable"] == 1
    assert dom.cards["registered"] == len(awx["hosts"])
    assert dom.bars == {INSTALLED: len(awx["hosts"])}
    by_host_desc = ReportDOM(dump_dom(page, "sort=host:desc"))
    assert by_host_desc.hosts == sorted(set(awx["hosts"]) | {"rgone"}, reverse=True)
    keep = os.environ.get("RUNNER_REPORT_COPY")
    if keep:
        shutil.copy2(page, keep)


def test_no_secret_in_any_artifact(awx, deploy, uninstall, slices, report):
    assert awx["pdds"], "no job ran"
    passphrase = awx["passphrase"]
    assert len(passphrase) >= 12
    for pdd in awx["pdds"]:
        assert (pdd / "artifacts").is_dir(), pdd
        hits = grep_tree(pdd / "artifacts", passphrase)
        assert hits == [], "the passphrase is in %s" % hits
    # ... while it did reach the jobs that needed it (so the grep could have found it).
    deploy_pdd = deploy[0]
    assert grep_tree(deploy_pdd / "env", passphrase)


def test_zz_durations():
    print("\nrunner job durations (s): %s" % json.dumps(DURATIONS, sort_keys=True))
