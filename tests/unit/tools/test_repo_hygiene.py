"""Repository rules of issue 17 that a checkout can break without any suite noticing."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def git(*args):
    return subprocess.run(['git', '-C', str(REPO)] + list(args), capture_output=True, text=True,
                          check=True).stdout


def test_no_symlinks_in_git():
    """ansible-test sanity (symlinks) refuses directory symlinks in a collection checkout; the
    molecule scenarios assemble their group_vars as files instead (tests/lab/scenarios.py)."""
    links = [line.split('\t', 1)[1] for line in git('ls-files', '-s').splitlines() if line.startswith('120000 ')]
    assert not links, links


def test_no_placeholder_urls_in_galaxy_yml():
    text = (REPO / 'galaxy.yml').read_text()
    assert 'example.invalid' not in text and 'example.com' not in text
