"""The collection docs site (make docs-site), read in headless Chromium: its collection index lists
every module, filter and role of this checkout, each linking to a page that renders (issue 17)."""

from __future__ import annotations

import ast
import os
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "report"))
from helpers import dump_dom  # noqa: E402  pylint: disable=wrong-import-position

SITE = REPO / "build" / "docs-site" / "build" / "html"
COLLECTION = SITE / "collections" / "asr" / "mobility"


def modules() -> set:
    return {p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if not p.stem.startswith("_")}


def filters() -> set:
    """The names each FilterModule.filters() returns (read from the source, not imported)."""
    names = set()
    for path in (REPO / "plugins" / "filter").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name == "filters":
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Dict):
                        names |= {k.value for k in ret.value.keys}
    return names


def roles() -> set:
    return {p.name for p in (REPO / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file()}


class Links(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.links, self._href, self._text = {}, None, []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links["".join(self._text).strip()] = self._href
            self._href = None


@pytest.fixture(scope="module")
def index_links():
    if not (COLLECTION / "index.html").is_file():
        pytest.fail("no docs site: run `make docs-site` first")
    return Links(dump_dom(COLLECTION / "index.html")).links


def test_source_tree_has_what_the_issue_counts():
    assert len(modules()) >= 4 and len(filters()) >= 15 and len(roles()) >= 4


@pytest.mark.parametrize("kind,names", [("module", modules), ("filter", filters), ("role", roles)])
def test_index_lists_and_links_every_plugin(index_links, kind, names):
    missing, broken = [], []
    for name in sorted(names()):
        href = index_links.get("%s %s" % (name, kind))
        if not href:
            missing.append(name)
            continue
        page = (COLLECTION / href.split("#", 1)[0]).resolve()
        if page.name != "%s_%s.html" % (name, kind) or not page.is_file():
            broken.append("%s -> %s" % (name, href))
    assert not missing, "%ss missing from the index: %s" % (kind, missing)
    assert not broken, broken


def test_a_filter_page_renders_its_documentation():
    dom = dump_dom(COLLECTION / "os_token_filter.html")
    assert "asr.mobility.os_token filter" in dom
    assert "Decide the Mobility Service installer OS token" in dom
    assert "overrides" in dom and "Return Value" in dom


def test_site_root_leads_to_the_collection():
    links = Links(dump_dom(SITE / "index.html")).links
    assert any("collections/asr/mobility/index.html" in h or "collections/index.html" in h
               for h in links.values()), sorted(links)[:20]
    assert os.path.getsize(SITE / "index.html") > 0
