# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every PowerShell snippet the collection sends to a host parses (tree-sitter-powershell), and
the collection ships no PowerShell module of its own.

Snippets are found, not listed: module-level string constants named ``*_PS`` / ``PS_*`` in
``plugins/**.py``, and ``script`` of ``win_powershell`` / ``cmd`` of ``win_shell`` tasks in
``roles/`` and ``playbooks/``. A constant that looks like PowerShell but is not named so fails too,
so nothing escapes the check by its name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import glob
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
NAME_RE = re.compile(r'(^PS_|_PS$)')
LOOKS_LIKE_PS = re.compile(r'\$ErrorActionPreference|\$Ansible\.|^\s*param\s*\(', re.M)
PS_TASK_KEYS = {'ansible.windows.win_powershell': 'script', 'win_powershell': 'script',
                'ansible.windows.win_shell': 'cmd', 'win_shell': 'cmd'}

try:
    import tree_sitter
    import tree_sitter_powershell
except ImportError:  # pragma: no cover - see mk/windows.mk
    tree_sitter = None

if tree_sitter is None and os.environ.get('ASR_REQUIRE_TREE_SITTER') == '1':
    raise ImportError('tree-sitter and tree-sitter-powershell are required (pip install tree-sitter tree-sitter-powershell)')
needs_tree_sitter = pytest.mark.skipif(tree_sitter is None, reason='tree-sitter-powershell is not installed')


def syntax_errors(text):
    """``[(line, column, what)]`` for every ERROR or MISSING node of ``text`` (empty: it parses)."""
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    tree = parser.parse(text.encode('utf-8'))
    errors = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == 'ERROR' or node.is_missing:
            what = ('missing %s' % node.type) if node.is_missing else (
                'unexpected %r' % node.text.decode('utf-8', 'replace')[:40])
            errors.append((node.start_point[0] + 1, node.start_point[1] + 1, what))
        elif node.has_error:
            stack.extend(node.children)
    return sorted(errors)


def _python_snippets():
    found = []
    for base, dirs, files in os.walk(os.path.join(ROOT, 'plugins')):
        dirs[:] = [d for d in dirs if d != '__pycache__']
        for name in sorted(files):
            if not name.endswith('.py'):
                continue
            path = os.path.join(base, name)
            with open(path) as handle:
                tree = ast.parse(handle.read(), path)
            for node in tree.body:
                if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
                    continue
                if not isinstance(node.value.value, str):
                    continue
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.append((os.path.relpath(path, ROOT), target.id, node.value.value))
    return found


def _yaml_snippets():
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            for module, key in PS_TASK_KEYS.items():
                args = node.get(module)
                if isinstance(args, dict) and isinstance(args.get(key), str):
                    found.append((where, node.get('name', module), args[key]))
                elif isinstance(args, str) and key == 'cmd':
                    found.append((where, node.get('name', module), args))
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for top in ('roles', 'playbooks'):
        for base, dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in sorted(files):
                if name.endswith(('.yml', '.yaml')):
                    path = os.path.join(base, name)
                    with open(path) as handle:
                        try:
                            data = yaml.safe_load(handle)
                        except yaml.YAMLError:
                            continue
                    walk(data, os.path.relpath(path, ROOT))
    return found


def _role_variables():
    """Variables of every role's defaults/ and vars/ (a script given as ``{{ var }}`` lives there)."""
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'defaults', '*.yml'))
                       + glob.glob(os.path.join(ROOT, 'roles', '*', 'vars', '*.yml'))):
        with open(path) as handle:
            data = yaml.safe_load(handle) or {}
        if isinstance(data, dict):
            found.update(data)
    return found


def collection_snippets():
    snippets = [(where, name, text) for where, name, text in _python_snippets() if NAME_RE.search(name)]
    variables = _role_variables()
    for where, name, text in _yaml_snippets():
        only_var = re.match(r'^\s*\{\{\s*(\w+)\s*\}\}\s*$', text)
        if only_var and isinstance(variables.get(only_var.group(1)), str):
            where, text = '%s (%s)' % (where, only_var.group(1)), variables[only_var.group(1)]
        # Jinja is templated before PowerShell sees the text: stand a variable in for it.
        snippets.append((where, name, re.sub(r'\{\{.*?\}\}', '$jinja', text, flags=re.S)))
    return snippets


SNIPPETS = collection_snippets()


def test_snippets_are_found():
    names = set(name for dummy, name, dummy2 in SNIPPETS)
    assert {'WRITE_SECRET_PS', 'READ_PREFERENCE_PS', 'CHANGE_PREFERENCE_PS'} <= names


@needs_tree_sitter
@pytest.mark.parametrize('where, name, text', SNIPPETS, ids=['%s:%s' % (s[0], s[1]) for s in SNIPPETS])
def test_snippet_parses(where, name, text):
    errors = syntax_errors(text)
    assert not errors, '%s %s has PowerShell syntax errors: %s' % (where, name, errors)


def test_powershell_constants_are_named_so_they_are_checked():
    unnamed = [(where, name) for where, name, text in _python_snippets()
               if not NAME_RE.search(name) and LOOKS_LIKE_PS.search(text)]
    assert not unnamed, 'PowerShell-looking constants must be named *_PS to be syntax-checked: %s' % unnamed


@needs_tree_sitter
@pytest.mark.parametrize('bad', [
    "$info = @{ paths = @( }\n$Ansible.Result = $info\n",
    "if ($x -eq 1 {\n    'one'\n}\n",
    "$text = \"unterminated\n",
    "foreach ($p in $Paths) {\n    Add-MpPreference -ExclusionPath $p\n",
    "$a = 1 +\n",
])
def test_the_checker_catches_syntax_errors(bad):
    assert syntax_errors(bad)


@needs_tree_sitter
@pytest.mark.parametrize('good', [
    "param([Parameter(Mandatory = $true)][string[]]$Paths)\n$ErrorActionPreference = 'Stop'\nAdd-MpPreference -ExclusionPath $Paths\n",
    "try { Get-MpPreference } catch { $_.Exception.Message } finally { 'done' }\n",
])
def test_the_checker_accepts_valid_powershell(good):
    assert syntax_errors(good) == []


def test_no_powershell_module_in_plugins():
    found = []
    for base, dummy, files in os.walk(os.path.join(ROOT, 'plugins')):
        found += [os.path.join(base, f) for f in files if f.lower().endswith(('.ps1', '.psm1', '.psd1', '.cs'))]
    assert not found, 'the collection runs no PowerShell module of its own: %s' % found
