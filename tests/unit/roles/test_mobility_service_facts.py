"""Issue 16: a converged Linux host costs one module round trip in total.

The deploy playbook gathers no facts; the role's fast path (asr.mobility.rollout_plan) decides with
the token the host detects itself, and only a host that takes the full path gathers the minimal
facts that path reads (the token for the installer choice, the platform data, the kernel check)."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
ROLE = ROOT / "roles" / "mobility_service"


def load(path):
    return yaml.safe_load(path.read_text())


def test_the_deploy_play_gathers_no_facts():
    play = load(ROOT / "playbooks" / "deploy_mobility.yml")[0]
    assert play["gather_facts"] is False
    assert "gather_subset" not in play


def test_the_full_path_gathers_the_minimal_facts_first_and_only_when_missing():
    first = load(ROLE / "tasks" / "rollout.yml")[0]
    assert first["ansible.builtin.gather_facts"] == {"gather_subset": ["!all", "min"]}
    # ... and only when the fast path's call did not already hand over the host's own token decision.
    assert first["when"] == ["ansible_facts['distribution'] is not defined", "__mobility_service_fast_choice | length == 0"]


def test_the_fast_path_runs_before_any_fact_is_read():
    tasks = load(ROLE / "tasks" / "main.yml")[0]["block"]
    assert "asr.mobility.rollout_plan" in tasks[0]
    text = (ROLE / "tasks" / "main.yml").read_text()
    assert "ansible_facts" not in text


def test_the_fast_path_runs_on_windows_too_and_checks_the_exclusions_the_full_path_keeps():
    """Issue 16, Windows row: the fast path is not skipped on Windows; the Defender exclusions it checks are
    the antivirus_exclusions role's (antivirus_exclusions_paths, else that role's default, repeated here)."""
    fast = load(ROLE / "tasks" / "main.yml")[0]["block"][0]
    assert fast["when"] == "mobility_service_fast_path | bool"
    assert fast["asr.mobility.rollout_plan"]["exclusion_paths"] == "{{ __mobility_service_exclusion_paths }}"
    role_vars = load(ROLE / "vars" / "main.yml")
    defaults = load(ROOT / "roles" / "antivirus_exclusions" / "defaults" / "main.yml")
    assert role_vars["__mobility_service_default_exclusion_paths"] == defaults["antivirus_exclusions_paths"]
    assert "antivirus_exclusions_paths | default(__mobility_service_default_exclusion_paths)" in \
        role_vars["__mobility_service_exclusion_paths"]


def test_a_failed_download_from_the_mirror_is_tried_again_on_linux_and_windows():
    # A mirror or network hiccup on one host of thousands must not fail that host (a lab run lost a host to
    # one 10 s connect timeout): two more attempts, 5 s apart; the last attempt's error is reported.
    tasks = load(ROLE / "tasks" / "source_url_fetch.yml")
    assert len(tasks) == 2
    for task in tasks:
        assert task["retries"] == 2 and task["delay"] == 5
        assert task["until"] == task["register"] + " is succeeded"


def test_no_role_variable_is_templated_to_none():
    # ansible-core 2.16 (no native types) templates a variable whose value is none to '' (a string), so a later
    # "is none" is false there and true on 2.21: the fast path's hand-over broke the 2.16 uninstall that way.
    # A role variable that may be empty is {} or '' and is tested for emptiness.
    for path in sorted((ROLE / "vars").glob("*.yml")):
        for name, value in (load(path) or {}).items():
            text = str(value).replace(" ", "")
            assert not text.endswith("default(none)}}"), (path.name, name)
            assert not text.endswith("elsenone}}"), (path.name, name)
