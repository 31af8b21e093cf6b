"""tests/tools/run-pytest: a suite whose tests all skip must not read "passed" under CI=true (issue 17
item 7), and the counts it appends for `make test`'s summary are pytest's own closing line."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
RUN_PYTEST = REPO / 'tests' / 'tools' / 'run-pytest'
PYTEST = [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider']


def run(tmp_path, body, ci, extra_env=None, path=None):
    test = tmp_path / 'test_sample.py'
    test.write_text('import pytest\n' + body)
    counts = tmp_path / 'counts'
    env = dict(os.environ, ASR_SUITE_COUNTS=str(counts))
    env.pop('CI', None)
    if ci:
        env['CI'] = 'true'
    env.update(extra_env or {})
    if path is not None:
        env['PATH'] = path
    proc = subprocess.run(['/bin/bash', str(RUN_PYTEST)] + PYTEST + [str(test)], env=env,
                          capture_output=True, text=True, cwd=str(tmp_path), check=False)
    return proc, (counts.read_text().split() if counts.exists() else None)


ALL_SKIP = ('@pytest.mark.skipif(True, reason="podman is not installed")\n'
            'def test_a():\n    pass\n\n'
            '@pytest.mark.skipif(True, reason="podman is not installed")\n'
            'def test_b():\n    pass\n')


def test_all_skipped_fails_under_ci_and_says_why(tmp_path):
    proc, counts = run(tmp_path, ALL_SKIP, ci=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'all 2 tests of this run skipped' in proc.stderr
    assert 'podman is not installed' in proc.stderr
    assert counts == ['0', '2', '0']


def test_all_skipped_outside_ci_still_passes_but_is_counted(tmp_path):
    proc, counts = run(tmp_path, ALL_SKIP, ci=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert counts == ['0', '2', '0']


def test_some_skipped_some_passed_passes_under_ci(tmp_path):
    body = 'def test_ok():\n    pass\n\n@pytest.mark.skip(reason="optional")\ndef test_s():\n    pass\n'
    proc, counts = run(tmp_path, body, ci=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert counts == ['1', '1', '0']


def test_failures_and_errors_are_counted(tmp_path):
    body = ('@pytest.fixture\ndef broken():\n    raise RuntimeError("x")\n\n'
            'def test_f():\n    assert False\n\ndef test_e(broken):\n    pass\n\ndef test_ok():\n    pass\n')
    proc, counts = run(tmp_path, body, ci=True)
    assert proc.returncode == 1
    assert counts == ['1', '0', '2']


def test_nothing_collected_fails_unless_allowed(tmp_path):
    proc = run(tmp_path, '', ci=True)[0]
    assert proc.returncode == 5
    proc = run(tmp_path, '', ci=True, extra_env={'ALLOW_EMPTY': '1'})[0]
    assert proc.returncode == 0
    assert 'collected no tests' in proc.stderr


def test_bad_input_without_podman_fails_under_ci(tmp_path):
    """The case of the issue: bad-input ran before podman was installed, all 10 cases skipped and
    `make test` printed "bad-input passed". With a PATH that holds no podman it must fail."""
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    for tool in ('bash', 'env', 'tee', 'sed', 'grep', 'mktemp', 'rm', 'sort', 'uniq', 'head', 'tail', 'cat'):
        found = shutil.which(tool)
        assert found, tool
        os.symlink(found, str(bindir / tool))
    env = dict(os.environ, PATH=str(bindir), CI='true')
    env.pop('ASR_SUITE_COUNTS', None)
    proc = subprocess.run(['/bin/bash', str(RUN_PYTEST)] + PYTEST +
                          [str(REPO / 'tests' / 'integration' / 'test_bad_input.py')],
                          env=env, capture_output=True, text=True, cwd=str(REPO), check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'skipped' in proc.stdout
    assert 'podman is not installed' in proc.stderr
