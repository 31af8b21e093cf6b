# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side filters over the collection's pure logic (os_tokens, installer, the role's
choice and record in plugin_utils.rollout_choice, the "is this Windows?" rule of windows_calls)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import tarfile

from ansible.errors import AnsibleFilterError

from ansible_collections.asr.mobility.plugins.module_utils import installer as installer_utils
from ansible_collections.asr.mobility.plugins.module_utils import preflight
from ansible_collections.asr.mobility.plugins.module_utils.state import parse_kv
from ansible_collections.asr.mobility.plugins.plugin_utils import rollout_choice
from ansible_collections.asr.mobility.plugins.plugin_utils.windows_calls import host_vars_os_family


def os_token(facts, overrides=None):
    """Ansible facts (``ansible_facts``) -> the token decision dict of ``os_tokens.detect``."""
    return rollout_choice.os_token(facts, overrides)


def choose_installer(names, token, version=None, strict=True):
    """File names (paths allowed) -> the parsed installer chosen for ``token`` (newest, or the
    newest matching the pinned ``version``). Fails with the reason when there is none, or with
    ``strict=False`` returns ``{'error': reason}`` so the caller can decide whether it matters."""
    choice = rollout_choice.choose_installer(names, token, version)
    if strict and 'error' in choice:
        raise AnsibleFilterError(choice['error'])
    return choice


def parse_installer_name(name):
    try:
        return installer_utils.parse_name(name)
    except installer_utils.InstallerNameError as exc:
        raise AnsibleFilterError(str(exc))


def parse_checksums(text):
    """``sha256sum`` (or BSD ``SHA256 (name) = sum``) text -> {file name: lower-case sha256}."""
    return rollout_choice.parse_checksums(text)


def os_family(host_vars):
    """``windows`` or ``linux`` for a host, from its variables (``hostvars[inventory_hostname]``):
    the variable ``asr_mobility_os_family``, then the ``os_family`` fact, then the connection
    (winrm/psrp, or a powershell/cmd shell, mean Windows). The rule of ``asr.mobility.agent``'s
    backend choice, for every role."""
    return host_vars_os_family(host_vars)


def host_record(host, **kwargs):
    """The role's per-host record ``mobility_service_result`` (see ``plugin_utils.rollout_choice.host_record``)."""
    return rollout_choice.host_record(host, **kwargs)


def package_info(path):
    """Read ``.vx_version`` out of a Linux installer package on the controller (no extraction):
    {'version', 'os_built_for', 'build_tag', 'supported_kernels'}. Lets a role refuse an installer
    built for another token, or for another kernel, before it is copied anywhere.
    ``supported_kernels`` is the text of the package's ``supported_kernels`` (None when it has none).
    One pass over the archive, stopping once both members are read."""
    wanted = {'./.vx_version': 'vx', '.vx_version': 'vx', './supported_kernels': 'kernels', 'supported_kernels': 'kernels'}
    found = {}
    try:
        with tarfile.open(path, 'r:*') as archive:
            for member in archive:
                what = wanted.get(member.name)
                if what is None or what in found or not member.isfile():
                    continue
                found[what] = archive.extractfile(member).read().decode('utf-8', 'replace')
                if len(found) == 2:
                    break
    except (IOError, OSError, tarfile.TarError) as exc:
        raise AnsibleFilterError('%s is not a readable installer package: %s' % (path, exc))
    if 'vx' not in found:
        raise AnsibleFilterError('%s holds no .vx_version: not a Mobility Service installer package' % path)
    values = parse_kv(found['vx'])
    return {'version': values.get('VERSION'), 'os_built_for': values.get('OS_BUILT_FOR'),
            'build_tag': values.get('BUILD_TAG'), 'supported_kernels': found.get('kernels')}


def summary_rows(hostvars, hosts):
    """Per-host summary rows from each host's ``mobility_service_result`` fact (hosts without one,
    e.g. unreachable, get a row saying so)."""
    rows = []
    for host in hosts or []:
        result = (hostvars.get(host) or {}).get('mobility_service_result')
        # A record always names its host; anything else (a skipped or unreachable registered result
        # of the fast path) is not one.
        if not result or not result.get('host'):
            rows.append({'host': host, 'os_token': '-', 'version_before': None, 'version_after': None,
                         'actions': [], 'reboot_required': False, 'failed': True,
                         'failure_reason': 'no result (unreachable, or stopped before the role ran)'})
            continue
        row = dict(result)
        row['host'] = host
        rows.append(row)
    return rows


def summary_lines(rows):
    """Rows -> aligned text lines: host, token, version before -> after, actions, reboot, result."""
    header = ('HOST', 'TOKEN', 'VERSION', 'ACTIONS', 'REBOOT', 'RESULT')
    table = [header]
    for row in rows:
        before = row.get('version_before') or 'none'
        after = row.get('version_after') or 'none'
        version = before if before == after else '%s -> %s' % (before, after)
        actions = ','.join(row.get('actions') or []) or '-'
        reboot = 'needed' if row.get('reboot_required') and not row.get('rebooted') else (
            'done' if row.get('rebooted') else 'no')
        outcome = ('FAILED: %s' % (row.get('failure_reason') or '').strip()) if row.get('failed') else (
            'changed' if row.get('changed') else 'ok')
        table.append((str(row.get('host')), str(row.get('os_token') or '-'), version, actions, reboot, outcome))
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    lines = []
    for r in table:
        lines.append('  '.join(r[i].ljust(widths[i]) for i in range(len(widths))) + '  ' + r[-1])
    failed = sum(1 for r in rows if r.get('failed'))
    changed = sum(1 for r in rows if r.get('changed') and not r.get('failed'))
    lines.append('%d host(s): %d changed, %d unchanged, %d failed' % (
        len(rows), changed, len(rows) - changed - failed, failed))
    return lines


def kernel_check(kernel, token, supported_kernels=None, agent_version=None, fresh_install=True):
    """``ansible_facts['kernel'] | asr.mobility.kernel_check(token, supported_kernels_text, version, fresh)``:
    would Microsoft's installer accept this kernel? The per-family rule of the vendor's
    ``prereq_check_install.sh`` (Ubuntu/Debian: exact ``supported_kernels`` line; SLES 12/15: any
    ``*-default`` kernel or a ``<kernel>:<patchlevel>`` line; RHEL/OL: patterns). Returns the dict of
    ``preflight.kernel_check``: ``supported`` (False only when the vendor would refuse),
    ``status``, ``exit_code`` (99 for a fresh install, 208 for an upgrade), ``message`` (the kernel,
    the agent version, what to do). ``supported_kernels`` may be the text or a list of lines."""
    if isinstance(supported_kernels, (list, tuple)):
        supported_kernels = '\n'.join(str(line) for line in supported_kernels)
    return preflight.kernel_check(token, kernel, supported_kernels, agent_version=agent_version,
                                  fresh_install=bool(fresh_install))


class FilterModule(object):
    def filters(self):
        return {
            'kernel_check': kernel_check,
            'os_token': os_token,
            'choose_installer': choose_installer,
            'parse_installer_name': parse_installer_name,
            'parse_checksums': parse_checksums,
            'os_family': os_family,
            'host_record': host_record,
            'package_info': package_info,
            'summary_rows': summary_rows,
            'summary_lines': summary_lines,
        }
