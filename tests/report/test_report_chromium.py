# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report page as headless Chromium shows it: counts, chart, table, sorting."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.asr.mobility.plugins.filter import report

import fleet
from helpers import ReportDOM, dump_dom, screenshot


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    hv = fleet.fleet()
    rows = report.report_rows(hv, list(hv))
    path = tmp_path_factory.mktemp("report") / "asr-mobility-report.html"
    path.write_text(report.report_html(rows, "2026-11-22T10:00:00Z"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shown(page) -> ReportDOM:
    return ReportDOM(dump_dom(page))


def test_script_ran_and_default_order_is_by_host(shown):
    assert shown.body.get("data-js") == "ready"
    assert shown.body.get("data-sorted-by") == "host:asc"
    assert shown.hosts == sorted(fleet.fleet())


def test_counts_shown(shown):
    assert shown.cards == {"hosts": 9, "read": 7, "installed": 4, "registered": 3, "reboot_needed": 0,
                           "unsupported_os": 1, "unreachable": 1, "failed": 1}
    # the Windows host's plane comes from its drscout.conf (issue 13)
    assert shown.breakdowns["control_plane"] == {"modernized": 0, "classic": 4}
    assert shown.breakdowns["registration"] == {"registered": 3, "not registered": 1, "not installed": 3}
    assert shown.breakdowns["reboot"] == {"needed": 0, "not needed": 0, "unknown": 4}
    assert shown.breakdowns["version"] == {"9.66.7567.1": 2, "9.66.0.0": 1, "9.65.7411.1": 1, "not installed": 3}


def test_chart_bars(shown):
    assert shown.bars == {"9.66.7567.1": 2, "9.66.0.0": 1, "9.65.7411.1": 1, "not installed": 3}


def test_table_cells(shown):
    rows = {r["host"]: r for r in shown.rows}
    assert rows["broken-<b>"]["class"] == "failed"
    assert rows["gone-1"]["class"] == "unreachable"
    assert rows["sles11-old"]["class"] == "unsupported"
    assert rows["win2019"]["cells"]["version"] == "9.66.0.0"
    assert rows["win2019"]["cells"]["reboot_required"] == ""  # Reboot_Required is no reboot signal (reference §2.2 [R2], issue 13)
    assert rows["deb12-b"]["cells"]["registered"] == "no"
    assert [h["data-key"] for h in shown.headings] == list(report.COLUMN_KEYS)


def test_sort_by_version_descending(page):
    dom = ReportDOM(dump_dom(page, "sort=version:desc"))
    assert dom.body.get("data-sorted-by") == "version:desc"
    # Newest first; ties keep the host order; hosts without an agent (or not read) last, by host.
    assert dom.hosts == ["deb12-a", "deb12-b", "win2019", "rhel8-a",
                         "broken-<b>", "deb11-new", "gone-1", "sles11-old", "win2022-new"]


def test_sort_by_host_descending_and_by_status(page):
    assert ReportDOM(dump_dom(page, "sort=host:desc")).hosts == sorted(fleet.fleet(), reverse=True)
    by_status = ReportDOM(dump_dom(page, "sort=status:asc")).rows
    assert [r["cells"]["status"] for r in by_status] == sorted(r["cells"]["status"] for r in by_status)


def test_screenshot(page, tmp_path):
    png = screenshot(page, tmp_path / "report.png")
    assert png.stat().st_size > 20000
