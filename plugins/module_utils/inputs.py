# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input rules checked before any vendor program sees a value (design: "threat model").

Every function raises ValueError with a message that names the option and says what to do.
Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import socket

_LABEL = r'(?!-)[A-Za-z0-9-]{1,63}(?<!-)'
_HOST_NAME = re.compile(r'^%s(?:\.%s)*\.?$' % (_LABEL, _LABEL))
_DOTTED = re.compile(r'^[0-9.]+$')
_WHITESPACE = re.compile(r'\s')

try:  # Python 2
    _TEXT = (basestring,)  # noqa: F821 pylint: disable=undefined-variable
except NameError:  # Python 3
    _TEXT = (str, bytes)


def check_cs_address(value):
    """A configuration server address as the vendor's configurator takes it: an IPv4 or IPv6
    address or a DNS name; no port, no brackets, nothing a shell or ``sed`` would read (the Linux
    configurator builds a ``sed`` expression from it)."""
    text = str(value)
    problem = None
    if ':' in text:
        try:
            socket.inet_pton(socket.AF_INET6, text)
        except (socket.error, ValueError):
            problem = 'it has a colon but is no IPv6 address; give the port in cs_port, not in the address'
    elif _DOTTED.match(text):
        parts = text.split('.')
        if len(parts) != 4 or not all(p.isdigit() and 0 <= int(p) <= 255 for p in parts):
            problem = 'it looks like an IPv4 address but is not one'
    elif len(text) > 253 or not _HOST_NAME.match(text):
        problem = 'a host name has only letters, digits, hyphens and dots'
    if problem:
        raise ValueError('cs_address %r is not an IP address or host name (%s)' % (value, problem))
    return text


def check_passphrase(value):
    """The vendor reads the passphrase file up to the first whitespace: a passphrase with
    whitespace would be cut silently and fail after minutes of retries (exit 14)."""
    text = str(value)
    if not text.strip():
        raise ValueError('passphrase is blank: give the configuration server passphrase (genpassphrase.exe -v)')
    if _WHITESPACE.search(text):
        raise ValueError('passphrase contains whitespace, which the vendor configurator cuts off: give the '
                         'passphrase exactly as genpassphrase.exe prints it, without spaces or line breaks')
    return text


def config_text(value):
    """The appliance config as JSON text, from a string or (ansible-core 2.16 turns a JSON string
    into one) a mapping. Must be a non-empty JSON object."""
    if isinstance(value, dict):
        if not value:
            raise ValueError('config is an empty mapping: give the config.json the appliance made for this host')
        return json.dumps(value)
    text = value.decode('utf-8') if isinstance(value, bytes) else str(value)
    try:
        parsed = json.loads(text)
    except ValueError:
        raise ValueError('config is not JSON: give the content of the config.json the appliance made for this '
                         'host (not its path)')
    if not isinstance(parsed, dict) or not parsed:
        raise ValueError('config is JSON but not a non-empty object: give the config.json the appliance made for '
                         'this host')
    return text


# Strings shorter than this inside a config (flags, ports, "true") are not masked in the output:
# masking them would garble every message that happens to contain them. Keys, certificates and
# host identities are far longer.
MIN_SECRET_LENGTH = 8


def secret_strings(value):
    """The strings inside a config (mapping or JSON text) to hide from the output (no_log values)."""
    return set(s for s in _strings(value) if len(s) >= MIN_SECRET_LENGTH)


def _strings(value):
    if isinstance(value, dict):
        found = set()
        for item in value.values():
            found.update(_strings(item))
        return found
    if isinstance(value, (list, tuple)):
        found = set()
        for item in value:
            found.update(_strings(item))
        return found
    if isinstance(value, _TEXT):
        text = value.decode('utf-8') if isinstance(value, bytes) else value
        try:
            parsed = json.loads(text)
        except ValueError:
            return set([text]) if text else set()
        if isinstance(parsed, (dict, list)):
            return _strings(parsed) | set([text])
        return set([text]) if text else set()
    return set()


def check_no_whitespace(name, value):
    """The vendor's Linux scripts do not quote paths: one with whitespace breaks them."""
    if value and _WHITESPACE.search(str(value)):
        raise ValueError('%s %r contains whitespace, which the vendor scripts cannot handle: use a path without '
                         'spaces' % (name, value))
    return value


def check_common(params):
    """The rules for both platforms; returns the params with ``config`` as JSON text."""
    params = dict(params)
    if params.get('state') == 'absent':
        return params
    if params.get('cs_address'):
        check_cs_address(params['cs_address'])
    if params.get('passphrase') is not None and params.get('passphrase') != '':
        check_passphrase(params['passphrase'])
    if params.get('config') not in (None, '', {}):
        params['config'] = config_text(params['config'])
    return params
