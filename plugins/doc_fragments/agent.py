# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of ``asr.mobility.agent``, documented once (the spec is ``module_utils/agent_args.py``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  state:
    description:
      - C(present) installs the agent when missing; an installed agent of any version is left as it is
        unless O(version) pins one.
      - C(latest) upgrades to the version of O(installer) when the installed agent is older.
      - C(absent) uninstalls the agent and verifies the state file is gone.
    type: str
    choices: [present, latest, absent]
    default: present
  installer:
    description:
      - Path on the host to the installer package C(Microsoft-ASR_UA_<version>_<TOKEN>_..._release.tar.gz).
      - Needed only when an install or upgrade is planned.
      - On Windows, a C(.exe) on the host; its version is read from the file name.
    type: path
  installer_sha256:
    description:
      - The sha256 the installer was verified against. When given (the role always gives it), the module
        copies the installer into a private directory while hashing it and runs only that copy, so a file
        swapped after verification is refused before it runs.
      - Linux hosts.
    type: str
  version:
    description:
      - Pin the agent version, either C(9.NN) (any build of that release) or C(9.NN.build.rev).
      - An installed agent newer than the pin is refused, not downgraded.
    type: str
  control_plane:
    description:
      - C(classic) registers with a configuration server (C(-c CSLegacy)); C(modernized) with a replication
        appliance (C(-c CSPrime)). Required unless O(state=absent); there is no silent default.
    type: str
    choices: [classic, modernized]
  migrate:
    description:
      - Allow a classic agent to be migrated to modernized when O(control_plane=modernized).
      - Without it, such a host is refused so a migration never happens by accident.
    type: bool
    default: false
  platform:
    description: The C(-v) platform of the installer. C(VmWare) for VMware VMs and physical servers.
    type: str
    choices: [VmWare, Azure]
    default: VmWare
  install_dir:
    description:
      - The C(-d) install directory. Any value other than C(/usr/local/ASR) gets C(/ASR) appended by the vendor.
      - On Windows the C(/InstallLocation); the default means the vendor's default location under Program Files (x86),
        other values must be Windows paths.
    type: path
    default: /usr/local/ASR
  register:
    description: Whether the agent must end up registered with the configuration server or appliance.
    type: bool
    default: true
  cs_address:
    description:
      - Configuration server IP address (IPv4 or IPv6) or host name (classic), without a port (see O(cs_port)).
      - Required when a classic registration is planned. Anything else is refused before any vendor program runs.
    type: str
  cs_port:
    description: Configuration server port (classic).
    type: int
    default: 443
  passphrase:
    description:
      - The configuration server passphrase (classic), for example from Ansible Vault.
      - Required when a classic registration is planned. Never logged, never on a command line.
      - Refused when blank or when it contains whitespace (the vendor configurator cuts it at the first space).
    type: str
  config:
    description:
      - Content of the appliance C(config.json) for this machine (modernized), as JSON text or as a mapping
        (ansible-core 2.16 turns a JSON string into one); it is always written as JSON.
      - Must be a non-empty JSON object; anything else is refused before any vendor program runs.
      - Must be for this machine, so its C(BiosId) must be the host's system UUID (or its byte-swapped form), the
        rule the vendor's configurator applies (C(AgentConfigHelpers::IsConfigValid)). A config made for another
        machine, or one without C(BiosId), is refused before any vendor program runs (check mode too).
      - Required when a modernized registration is planned. Never logged (every string inside it is
        hidden from the output), never on a command line.
    type: raw
  os_token_overrides:
    description:
      - Map of C(<Distribution> [<version>]) to installer token that wins over the built-in table.
      - 'For example C({"Debian 13": "DEBIAN13-64"}). The most specific key wins (full version, major.minor, major, name).'
    type: dict
    default: {}
  work_dir:
    description:
      - Directory on the host in which the private temporary directories (extracted package, secret file)
        are created. Defaults to the system temporary directory.
      - On Windows, the parent of the private secret and extraction directories (default the Windows temporary
        directory); both get a fresh random name and an ACL for SYSTEM and Administrators only.
    type: path
  preflight:
    description:
      - Measurements for the caller's preflight refusals, taken in check mode in the same call that
        decides (no separate round trip), and only when an action is planned. The module refuses
        nothing on them; it returns RV(preflight).
      - Ignored outside check mode and on Windows hosts (the role measures nothing there).
    type: dict
    suboptions:
      space:
        description: Paths whose free space to report (in this order), as C(df -Pk) reports Available, in MB.
        type: list
        elements: dict
        default: []
        suboptions:
          path:
            description: A path on the filesystem to measure.
            type: str
            required: true
      connect:
        description:
          - Endpoints that must accept a TCP connection from the host, tried (again every second) for up to
            O(preflight.timeout) seconds as C(ansible.builtin.wait_for) does. Only when a registration is planned.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: The key of this endpoint in the C(reachable) map of RV(preflight).
            type: str
            required: true
          host:
            description: Host name or address, resolved on the host.
            type: str
            required: true
          port:
            description: TCP port.
            type: int
            required: true
      timeout:
        description: Seconds each endpoint may take.
        type: int
        default: 10
  rollback_on_failure:
    description:
      - When this run installed the agent on a host that had none and a later step (registration) fails,
        uninstall it again so the host is left as it was. Upgrades and migrations cannot be undone.
    type: bool
    default: true
  lock_timeout:
    description:
      - How long, in seconds, to wait for another run that is installing, registering or uninstalling the agent
        on the same host (a lock file under C(/run/lock)). After that the task fails and nothing is run.
      - On Windows a lock file C(C:\\ProgramData\\asr-mobility\\agent.lock) in a directory only SYSTEM and
        Administrators can open, holding the run id, controller and pid; a lock whose run is gone (a killed run on
        the same controller, or older than 4 hours) is taken over with a warning.
      - Check mode takes no lock.
    type: int
    default: 600
  keep_installers:
    description:
      - After a successful run that used O(installer), remove older installer packages (and trees extracted next
        to them) from the installer's directory, keeping the newest O(keep_installers) by version and the one in
        use; V(0) keeps only the one in use. Unset, nothing is removed.
      - Only names of the vendor's pattern C(Microsoft-ASR_UA_<version>_<TOKEN>_<PHASE>_<date>_release[.tar.gz|.exe])
        are considered; symbolic links (Windows reparse points) and special files are never removed or followed.
      - A file that cannot be removed is a warning, never a failure.
    type: int
'''
