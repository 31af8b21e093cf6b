# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modernized control plane's per-host data (reference §1.7): the agent's "Agent Config
Input" and the appliance's config.json made from it.

Facts, from Microsoft's published agent source (``thedarksage/AzMigrate-Hydration`` at ``822a039e``):

- ``AzureRcmCli --getagentconfiginput`` prints ``getagentconfiginput:<base64>``
  (``host/AzureRcmCli/AzureRcmCli.cpp`` line 919, option name ``AzureRcmCli.h`` line 47);
- the base64 is the JSON of ``AgentConfigInput`` = ``{"BiosId": ..., "Fqdn": ...}``
  (``host/AzureRcmLib/AgentConfig.h`` lines 35-51, filled in ``AgentConfigHelpers.cpp`` lines 18-38:
  ``BiosId`` is the system UUID, ``Fqdn`` the host name on Linux, the FQDN on Windows);
- the system UUID on Linux is ``cat /sys/class/dmi/id/product_uuid``, else
  ``/usr/sbin/dmidecode -s system-uuid`` (``host/common/linux/portablehelpersminor.h`` lines 60, 66;
  order in ``host/common/unix/portablehelpersmajor.cpp`` lines 2699-2724); on Windows WMI
  ``Win32_ComputerSystemProduct`` UUID (``host/common/win32/portablehelpersmajor.cpp`` line 6969);
- the config.json (``AgentConfiguration``, ``AgentConfig.h`` lines 64-108) carries ``BiosId`` and
  ``Fqdn`` of the machine it was made for, and a ``ClientCertificate`` with its private key (secret);
- the configurator accepts a config only when its ``BiosId`` equals the system UUID, ignoring case,
  or the UUID with its first three groups byte-swapped (``AgentConfigHelpers::IsConfigValid``,
  ``AgentConfigHelpers.cpp`` lines 40-47; ``BiosID::GetByteswappedBiosID``,
  ``host/common/biosidoperations.h`` lines 31-36). The ``Fqdn`` is not compared. On a mismatch the
  vendor writes the whole serialized config, certificate included, into its log
  (``RcmConfigurator.cpp`` lines 2585-2590): one more reason to refuse it before the vendor runs.

Pure functions; Python 2.7 compatible; no Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import json
import re

# What AzureRcmCli prints before the base64 (AzureRcmCli.cpp line 919: "<option>:<base64>").
INPUT_PREFIX = 'getagentconfiginput:'
# Field names of AgentConfigInput and AgentConfiguration (AgentConfig.h), as data.
BIOS_ID_FIELD = 'BiosId'
FQDN_FIELD = 'Fqdn'

_BASE64 = re.compile(r'^[A-Za-z0-9+/]+={0,2}$')
_UUID = re.compile(r'^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$')


def _text(value):
    return value.decode('utf-8', 'replace') if isinstance(value, bytes) else value


def find_config_input(output):
    """The base64 of the Agent Config Input in a program's output (AzureRcmCli, the installer's
    own output, or the bare base64 a user copied). Raises ValueError."""
    text = _text(output or '')
    for line in text.splitlines():
        line = line.strip()
        if line.lower().startswith(INPUT_PREFIX):
            return line[len(INPUT_PREFIX):].strip()
    bare = text.strip()
    if bare and '\n' not in bare and _BASE64.match(bare):
        return bare
    raise ValueError('no "%s<base64>" line in the output' % INPUT_PREFIX)


def decode_config_input(output):
    """``{'encoded', 'bios_id', 'fqdn'}`` from AzureRcmCli's output or the bare base64.
    The Agent Config Input is not secret (reference §1.7). Raises ValueError."""
    encoded = find_config_input(output)
    try:
        raw = base64.b64decode(encoded.encode('ascii'))
        decoded = json.loads(raw.decode('utf-8'))
    except (TypeError, ValueError, binascii.Error, UnicodeError):
        raise ValueError('the Agent Config Input is not base64 of JSON')
    if not isinstance(decoded, dict) or not decoded.get(BIOS_ID_FIELD):
        raise ValueError('the Agent Config Input has no %s' % BIOS_ID_FIELD)
    return {'encoded': encoded, 'bios_id': decoded.get(BIOS_ID_FIELD), 'fqdn': decoded.get(FQDN_FIELD)}


def encode_config_input(bios_id, fqdn):
    """The Agent Config Input the agent would print for this identity (the base64 only)."""
    text = json.dumps({BIOS_ID_FIELD: bios_id, FQDN_FIELD: fqdn}, separators=(',', ':'))
    return base64.b64encode(text.encode('utf-8')).decode('ascii')


def byteswapped_bios_id(bios_id):
    """The UUID with its first three groups byte-swapped (BiosID::GetByteswappedBiosID); None when
    the text is not a UUID."""
    text = (bios_id or '').strip()
    if not _UUID.match(text):
        return None
    return (text[6:8] + text[4:6] + text[2:4] + text[0:2] + '-' + text[11:13] + text[9:11] + '-'
            + text[16:18] + text[14:16] + '-' + text[19:])


def same_bios_id(system_bios_id, config_bios_id):
    """The vendor's rule (IsConfigValid): equal ignoring case, or equal to the byte-swapped form."""
    system = (system_bios_id or '').strip().lower()
    config = (config_bios_id or '').strip().lower()
    if not system or not config:
        return False
    return system == config or (byteswapped_bios_id(system) or '').lower() == config


def config_identity(config):
    """``{'bios_id', 'fqdn'}`` a config.json (JSON text or mapping) was made for. Raises ValueError."""
    if isinstance(config, dict):
        parsed = config
    else:
        try:
            parsed = json.loads(_text(config))
        except (TypeError, ValueError):
            raise ValueError('config is not JSON: give the content of the config.json the appliance made for '
                             'this host (not its path)')
    if not isinstance(parsed, dict):
        raise ValueError('config is JSON but not an object: give the config.json the appliance made for this host')
    return {'bios_id': parsed.get(BIOS_ID_FIELD), 'fqdn': parsed.get(FQDN_FIELD)}


def check_config_for_host(config, identity):
    """Refuse (ValueError) a config.json that the vendor's configurator would refuse for this host:
    no ``BiosId`` in it, or one that is not this host's BIOS ID (``identity['bios_id']``).
    The message names this host's identity, never the config's content (it is secret)."""
    made_for = config_identity(config)
    if not made_for['bios_id']:
        raise ValueError('config has no %s: it is not a config.json made by the replication appliance for one '
                         'machine (RcmProxyAgent.exe -createmobilityagentconfigfile, or the appliance '
                         'configuration manager); the vendor configurator would refuse it' % BIOS_ID_FIELD)
    bios_id = (identity or {}).get('bios_id')
    if not bios_id:
        raise ValueError('the BIOS ID of this host could not be read (%s), so the config cannot be checked and the '
                         'vendor configurator would refuse it too; fix the host so that it reports a system UUID'
                         % ((identity or {}).get('source') or 'no source'))
    if not same_bios_id(bios_id, made_for['bios_id']):
        raise ValueError('config was made for another machine: its %s is not this host\'s BIOS ID %s (host name %s). '
                         'Give the config.json the appliance made from this host\'s Agent Config Input '
                         '(asr.mobility.agent_info returns it as agent_config_input)'
                         % (BIOS_ID_FIELD, bios_id, (identity or {}).get('fqdn') or 'unknown'))
    return made_for
