# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the report tests (and tests/runner): headless Chromium and a reader for the report's DOM."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STANDIN = Path(__file__).resolve().parent / "standin"

# Flags measured to work here (closed network, root): /work/.library/env/machines/python.md.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
]


def chromium_path() -> str:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise RuntimeError("headless Chromium is needed: apt-get install -y chromium (Debian's package)")


def chromium(url: str, *extra: str, timeout: int = 90) -> subprocess.CompletedProcess:
    """Run Chromium headless once with a fresh profile; returns the completed process."""
    with tempfile.TemporaryDirectory(prefix="asr-chromium-") as profile:
        cmd = [chromium_path(), *CHROMIUM_FLAGS, "--user-data-dir=" + profile, *extra, url]
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout, check=False)


def dump_dom(path: Path, fragment: str = "") -> str:
    """The DOM after the page's script ran (``--dump-dom``), for file ``path`` + ``#fragment``."""
    url = path.resolve().as_uri() + (("#" + fragment) if fragment else "")
    proc = chromium(url, "--virtual-time-budget=5000", "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<html" in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


def screenshot(path: Path, png: Path, size: str = "1400,1100") -> Path:
    proc = chromium(path.resolve().as_uri(), "--virtual-time-budget=5000", "--window-size=" + size,
                    "--screenshot=" + str(png))
    assert proc.returncode == 0 and png.exists(), proc.stderr[-2000:]
    return png


class ReportDOM(HTMLParser):
    """What the page shows: body attributes, count cards, breakdown rows, chart bars, table rows."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.body = {}
        self.cards = {}
        self.breakdowns = {}
        self.bars = {}
        self.headings = []
        self.rows = []          # [{"host": ..., "class": ..., "cells": {key: text}}]
        self._card = None
        self._breakdown = None
        self._cell = None
        self._text = []
        self._in_n = False
        self._bd_row = None
        self._th = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        elif tag == "div" and "data-count" in a:
            self._card = a["data-count"]
        elif tag == "div" and a.get("class") == "n" and self._card:
            self._in_n, self._text = True, []
        elif tag == "div" and "data-breakdown" in a:
            self._breakdown = a["data-breakdown"]
            self.breakdowns[self._breakdown] = {}
        elif tag == "tr" and self._breakdown and "data-label" in a:
            self._bd_row = a["data-label"]
        elif tag == "td" and self._bd_row is not None and a.get("class") == "c":
            self._cell, self._text = "bd", []
        elif tag == "g" and a.get("class") == "bar":
            self.bars[a["data-label"]] = int(a["data-count"])
        elif tag == "th" and "data-key" in a:
            self._th = a
        elif tag == "tr" and "data-host" in a:
            self.rows.append({"host": a["data-host"], "class": a.get("class"), "cells": {}})
        elif tag == "td" and "data-key" in a and self.rows:
            self._cell, self._text = a["data-key"], []

    def handle_endtag(self, tag):
        if tag == "div" and self._in_n:
            self.cards[self._card] = int("".join(self._text).strip())
            self._in_n, self._card = False, None
        elif tag == "td" and self._cell == "bd":
            self.breakdowns[self._breakdown][self._bd_row] = int("".join(self._text).strip())
            self._cell, self._bd_row = None, None
        elif tag == "td" and self._cell:
            self.rows[-1]["cells"][self._cell] = "".join(self._text).strip()
            self._cell = None
        elif tag == "table" and self._breakdown:
            self._breakdown = None
        elif tag == "th" and self._th is not None:
            self.headings.append(dict(self._th))
            self._th = None

    def handle_data(self, data):
        if self._in_n or self._cell:
            self._text.append(data)

    @property
    def hosts(self):
        return [r["host"] for r in self.rows]
