# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel preflight as Microsoft's installer does it (reference §1.2 [R2], §1.6, §1.8).

The rules follow ``check_current_kernel_supported`` in Microsoft's published
``build/scripts/unifiedagent/templates/prereq_check_install.sh`` (cited "prereq:<line>"): each
OS token family has its own rule; only Ubuntu/Debian need the exact ``uname -r`` as a line of the
package's ``supported_kernels``. A fresh install that fails the rule exits 99 in the prerequisite
check (prereq:551-558, unifiedagent/templates/install:750-760); an upgrade fails later in ``install_vx`` with 208 (no
driver for the kernel, VX/templates/install:1289-1292).

Pure functions; no Ansible imports; Python 2.7 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

SUPPORTED = 'supported'
UNSUPPORTED = 'unsupported'
UNKNOWN = 'unknown'

HOTFIX_HINT = ('install the kernel-module hotfix for this agent version (Azure/Azure-SiteRecovery '
               'MobilityAgent/OnPremiseToAzure/KernelModuleDownloadLinks.md, needs the latest agent), boot a kernel '
               'the agent supports, or use an agent version whose supported_kernels lists this kernel')


def _field(text, sep, index):
    """``echo X | awk -F<sep> '{print $<index+1>}'``: '' when absent."""
    parts = text.split(sep)
    return parts[index] if index < len(parts) else ''


def _minor(kernel):
    """The vendor's ``awk -F"-" '{print $2}' | awk -F"." '{print $1}'`` as an int, or None."""
    value = _field(_field(kernel, '-', 1), '.', 0)
    return int(value) if value.isdigit() else None


def _rhel8_extra_at_least(kernel, extra1, extra2):
    """prereq:380-402 ``is_supported_rhel8_kernel``: dot fields 4 and 5 >= (extra1, extra2)."""
    minor1 = _field(kernel, '.', 3)
    minor2 = _field(kernel, '.', 4)
    if not minor1.isdigit():
        return False
    if int(minor1) > extra1:
        return True
    return int(minor1) == extra1 and minor2.isdigit() and int(minor2) >= extra2


def _rhel8_minor_rule(kernel):
    minor = _minor(kernel)
    if minor == 305:
        return _rhel8_extra_at_least(kernel, 30, 1)
    if minor == 348:
        return _rhel8_extra_at_least(kernel, 5, 1)
    return True


def _search(pattern, kernel):
    """``grep -q`` / ``egrep -q``: an unanchored regular expression search (the vendor's dots are
    regex dots, kept as such)."""
    return re.search(pattern, kernel) is not None


def _exact_line(kernel, lines):
    """prereq:530-540: ``while read ker; [ $CURR_KERNEL = "$ker" ]`` (``read`` trims blanks)."""
    return any(line.strip(' \t') == kernel for line in lines)


def _sles_listed(kernel, lines):
    """prereq:542-549: ``grep -q "^<kernel>:"`` (the kernel is a regex there; dots match any char)."""
    pattern = re.compile('^' + kernel + ':') if kernel else None
    try:
        return any(pattern.search(line) for line in lines) if pattern else False
    except re.error:
        return any(line.startswith(kernel + ':') for line in lines)


# token (or token prefix ending in '*') -> (rule, source lines in prereq_check_install.sh)
RULES = {
    'RHEL5-64': ('2.6.18 kernels ending in .el5 or .el5xen', 'prereq:415-423'),
    'RHEL6-64': ('2.6.32 kernels ending in .el6.x86_64 (or .el6.centos.plus.x86_64), release 71-754', 'prereq:425-433'),
    'RHEL7-64': ('kernels containing .el7.x86_64 at the end', 'prereq:435-438'),
    'RHEL8-64': ('kernels matching .el8 (release 305 needs .30.1+, 348 needs .5.1+)', 'prereq:440-464'),
    'OL6-64': ('2.6.32 .el6.x86_64 release 358-754, or UEK 3.8.13 / 4.1.12 .el6uek.x86_64', 'prereq:510-528'),
    'OL7-64': ('kernels ending in .el7.x86_64 or containing .el7uek.x86_64', 'prereq:466-469'),
    'OL8-64': ('.el8uek.x86_64 kernels, or .el8 release 80-348 (305 needs .30.1+, 348 needs .5.1+)', 'prereq:471-503'),
    'SLES11-SP3-64': ('3.0 kernels ending in -default or -xen', 'prereq:505-508'),
    'SLES11-SP4-64': ('3.0 kernels ending in -default or -xen', 'prereq:505-508'),
    'SLES12-64': ('any *-default kernel, else a "<kernel>:<patchlevel>" line of supported_kernels', 'prereq:542-549'),
    'SLES15-64': ('any *-default kernel, else a "<kernel>:<patchlevel>" line of supported_kernels', 'prereq:542-549'),
    'UBUNTU*': ('the exact kernel as a line of supported_kernels', 'prereq:530-540'),
    'DEBIAN*': ('the exact kernel as a line of supported_kernels', 'prereq:530-540'),
}


def _rule_for(token):
    token = (token or '').upper()
    if token in RULES:
        return token
    for key in RULES:
        if key.endswith('*') and token.startswith(key[:-1]):
            return key
    return None


def _decide(rule, kernel, lines):
    if rule == 'RHEL5-64':
        return _search('^2.6.18', kernel) and _search('.el5$|.el5xen$', kernel)  # the vendor's minor test is always true
    if rule == 'RHEL6-64':
        minor = _minor(kernel)
        return (_search('^2.6.32', kernel) and _search('.el6.x86_64$|.el6.centos.plus.x86_64$', kernel)
                and minor is not None and 71 <= minor <= 754)
    if rule == 'RHEL7-64':
        return _search('.el7.x86_64$', kernel)
    if rule == 'RHEL8-64':
        return _search('.el8.*', kernel) and _rhel8_minor_rule(kernel)
    if rule == 'OL7-64':
        return _search('.el7.x86_64$|.el7uek.x86_64', kernel)
    if rule == 'OL8-64':
        if _search('.el8uek.x86_64', kernel):
            return True
        minor = _minor(kernel)
        return (_search('.el8.*', kernel) and minor is not None and 80 <= minor <= 348
                and _rhel8_minor_rule(kernel))
    if rule in ('SLES11-SP3-64', 'SLES11-SP4-64'):
        return _search('^3.0', kernel) and _search('-default$|-xen$', kernel)
    if rule == 'OL6-64':
        minor = _minor(kernel)
        if (_search('^2.6.32', kernel) and _search('.el6.x86_64$', kernel)
                and minor is not None and 358 <= minor <= 754):
            return True
        return ((_search('^3.8.13', kernel) or _search('^4.1.12', kernel)) and _search('.el6uek.x86_64', kernel))
    if rule in ('UBUNTU*', 'DEBIAN*'):
        return _exact_line(kernel, lines)
    if rule in ('SLES12-64', 'SLES15-64'):
        return _search('-default$', kernel) or _sles_listed(kernel, lines)
    raise AssertionError(rule)


def kernel_check(token, kernel, supported_kernels_text=None, agent_version=None, fresh_install=True):
    """Would the vendor's installer accept ``kernel`` on a host of ``token``?

    :param supported_kernels_text: the package's ``supported_kernels`` (None when unreadable).
    :param fresh_install: True for an install (the vendor exits 99), False for an upgrade (208).
    :returns: dict ``status`` (supported|unsupported|unknown), ``supported`` (False only when
        the vendor would refuse), ``exit_code`` (99/208 when refused, else None), ``rule``,
        ``source``, ``message`` (names the kernel, the agent version and what to do).
    """
    kernel = (kernel or '').strip()
    lines = (supported_kernels_text or '').split('\n')  # the vendor's read keeps a CR
    rule_key = _rule_for(token)
    agent = agent_version or 'this agent version'
    result = {'token': token, 'kernel': kernel, 'agent_version': agent_version, 'status': UNKNOWN,
              'supported': True, 'exit_code': None, 'rule': None, 'source': None, 'message': ''}
    if rule_key is None:
        result['message'] = ('no kernel rule is known for %s in the published prereq_check_install.sh; the package\'s '
                             'own prerequisite check decides' % (token or 'this OS'))
        return result
    rule, source = RULES[rule_key]
    result['rule'], result['source'] = rule, source
    needs_list = rule_key in ('UBUNTU*', 'DEBIAN*')
    if not kernel or (needs_list and supported_kernels_text is None):
        result['message'] = ('the kernel or the package\'s supported_kernels could not be read; the installer\'s '
                             'own check decides')
        return result
    if _decide(rule_key, kernel, lines):
        result['status'] = SUPPORTED
        result['message'] = 'kernel %s is supported by agent %s on %s (%s)' % (kernel, agent, token, rule)
        return result
    code = 99 if fresh_install else 208
    result.update(status=UNSUPPORTED, supported=False, exit_code=code)
    result['message'] = (
        'the running kernel %s is not supported by Mobility Service agent %s on %s (the vendor accepts %s, '
        'prereq_check_install.sh %s); the installer would exit %d (%s). Nothing was run. To go on: %s.'
        % (kernel, agent, token, rule, source.split(':', 1)[1], code,
           'prerequisites not met, fresh install' if fresh_install else 'kernel not supported, upgrade',
           HOTFIX_HINT))
    return result


# ------------------------------------------------------------------------------------------------
# Space and network, measured in the call that decides (issue 16: no separate round trip for them).
# The role words the refusals from these figures exactly as it did from ``df -Pk`` and ``wait_for``.

def free_mb(statvfs_result):
    """MB available to an unprivileged writer, as the role read it from ``df -Pk`` (the Available
    column, in KB, integer-divided by 1024)."""
    return (statvfs_result.f_bavail * statvfs_result.f_frsize // 1024) // 1024


def checks_due(actions, space, connect):
    """Which measurements the decision needs: ``(space entries, connect entries)``. Nothing when no
    action is planned (a converged host is not measured); the endpoints only when a registration is
    planned (``register`` among ``actions``, the action names)."""
    if not actions:
        return [], []
    return list(space or []), (list(connect or []) if 'register' in actions else [])


def measure(space, connect, timeout, statvfs, reachable):
    """The figures for the role: ``{'free_mb': [MB or None per space entry, in order], 'space_error':
    [error text or None], 'reachable': {name: bool}}``. ``statvfs(path)`` and ``reachable(host, port,
    timeout)`` act on the host (injected: this function stays pure)."""
    out = {'free_mb': [], 'space_error': [], 'reachable': {}}
    for entry in space:
        try:
            out['free_mb'].append(free_mb(statvfs(entry['path'])))
            out['space_error'].append(None)
        except (OSError, IOError) as exc:
            out['free_mb'].append(None)
            out['space_error'].append('%s: %s' % (entry['path'], getattr(exc, 'strerror', None) or exc))
    for entry in connect:
        out['reachable'][entry['name']] = bool(reachable(entry['host'], entry['port'], timeout))
    return out
