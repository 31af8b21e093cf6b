"""Every conditional in the project's YAML must be a string (or a boolean).

An unquoted list item holding ': ' (e.g. a regex 'FAILED: .*') parses as a mapping; ansible-core
2.19 then fails the task at run time with "Conditional expressions must be strings". Catch it
when the file is written, not in a 20-minute lab run."""
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("that", "when", "failed_when", "changed_when", "until")
SKIP = {".venv", ".venv216", ".venv215", ".venv219", "build", ".git", "node_modules", ".ansible"}


def yaml_files():
    for path in sorted(ROOT.rglob("*.yml")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in SKIP or rel.parts[0].startswith(".venv") or "output" in rel.parts:
            continue
        yield rel


def bad_conditionals(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in KEYS:
                for item in value if isinstance(value, list) else [value]:
                    if not isinstance(item, (str, bool)):
                        yield "%s%s: %r" % (where, key, item)
            yield from bad_conditionals(value, where)
    elif isinstance(node, list):
        for item in node:
            yield from bad_conditionals(item, where)


class Loader(yaml.SafeLoader):
    """Tolerates the !vault and !unsafe tags."""


Loader.add_constructor("!vault", lambda loader, node: "vaulted")
Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


@pytest.mark.parametrize("rel", list(yaml_files()), ids=str)
def test_conditionals_are_strings(rel):
    docs = list(yaml.load_all((ROOT / rel).read_text(), Loader=Loader))
    bad = [b for doc in docs for b in bad_conditionals(doc)]
    assert not bad, "%s: quote these conditionals: %s" % (rel, bad)


def test_the_check_catches_an_unquoted_colon():
    doc = yaml.safe_load("that:\n  - x | select('search', 'FAILED: .*') | list\n")
    assert list(bad_conditionals(doc))
