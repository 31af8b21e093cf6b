"""Bad input matrix (issue 4): every case fails with its own message, before the host changes.

Runs playbooks/deploy_mobility.yml against the podman lab (tests/lab/lab.py) with one host per
case and extra vars that make the input bad. After each case the host is checked: no state file,
no vxagent unit, no installer copied where the case says so, and the installer double's own run
log (/var/log/asr-double/runs.log) shows which vendor programs ran — none, except for the wrong
passphrase, where the fresh install is rolled back.
"""

import json
import shutil
import subprocess
import sys
import time

import pytest

from labkit import (INVENTORY, REPO, RUNS_LOG, VENV_BIN, ansible_env, build_installer, lab_passphrase, on_host, sh,
                    write_sums)

BUILD = REPO / 'build' / 'bad-input'
HOSTS = {
    'bad-deb12': 'debian12',
    'bad-deb13': 'debian13',
    'bad-rhel8': 'spoof-rhel8',
    'bad-sles12': 'spoof-sles12sp5',
    # Success-then-recover cases of issue 15 (they install an agent, so they get hosts of their own).
    'bad-216': 'debian12',
    'bad-kill': 'debian12',
}
pytestmark = pytest.mark.skipif(shutil.which('podman') is None, reason='podman is not installed')


@pytest.fixture(scope='session')
def lab():
    """Images, installers (mirror + controller dirs with a wrong-token and a tampered package),
    and the lab with one host per case."""
    if BUILD.exists():
        shutil.rmtree(BUILD)
    mirror = BUILD / 'mirror'
    mirror.mkdir(parents=True)
    for token in ('DEBIAN12-64', 'RHEL8-64'):  # nothing for SLES12-64: "no installer for the token"
        build_installer(token, mirror)
    write_sums(mirror)

    # Controller dir 1: a DEBIAN12 package renamed as the RHEL8 one, with a correct checksum.
    wrong = BUILD / 'wrong-token'
    wrong.mkdir()
    deb = build_installer('DEBIAN12-64', BUILD / 'tmp')
    shutil.copy(deb, wrong / deb.name.replace('DEBIAN12-64', 'RHEL8-64'))
    write_sums(wrong)

    # Controller dir 2: a tampered package (bytes appended after the checksum was taken).
    tampered = BUILD / 'tampered'
    tampered.mkdir()
    shutil.copy(deb, tampered / deb.name)
    write_sums(tampered)
    with open(tampered / deb.name, 'ab') as handle:
        handle.write(b'tampered')

    passphrase = BUILD / 'cs.passphrase'
    secret = lab_passphrase(passphrase)

    sh(sys.executable, REPO / 'tests/lab/images/build.py', '--only', *sorted(set(HOSTS.values())), 'svc')
    hosts = ','.join('%s=%s' % item for item in HOSTS.items())
    sh(sys.executable, REPO / 'tests/lab/lab.py', 'up', '--hosts', hosts, '--cs-passphrase-file', passphrase,
       '--mirror-dir', mirror, '--inventory', INVENTORY / 'hosts.yml')
    yield {'mirror': mirror, 'wrong': wrong, 'tampered': tampered, 'secret': secret}
    sh(sys.executable, REPO / 'tests/lab/lab.py', 'down', check=False)


def deploy(host, extra, venv_bin=VENV_BIN, background=False):
    env = ansible_env()
    extra_file = BUILD / ('%s.json' % host)
    extra_file.write_text(json.dumps(extra))
    argv = [str(venv_bin / 'ansible-playbook'), '-i', str(INVENTORY), str(REPO / 'playbooks/deploy_mobility.yml'),
            '-l', host, '-e', '@%s' % extra_file]
    if background:
        return subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return sh(*argv, check=False, env=env, cwd=REPO)


def host_untouched(host):
    """No agent, no unit, no vendor program run; returns the runs.log text (empty when none ran)."""
    assert on_host(host, 'test -e /usr/local/.vx_version').returncode != 0, 'state file present'
    assert on_host(host, 'test -e /etc/systemd/system/vxagent.service').returncode != 0, 'vxagent unit present'
    assert on_host(host, 'test -d /usr/local/ASR').returncode != 0, '/usr/local/ASR present'
    return on_host(host, 'cat %s 2>/dev/null' % RUNS_LOG).stdout


def reset(host):
    on_host(host, 'rm -rf /var/lib/asr-mobility %s' % RUNS_LOG)


CASES = [
    # id, host, extra vars, message (regex-free substrings, all must appear)
    ('unsupported_os', 'bad-deb13', {'mobility_service_os_token_overrides': {}},
     ['Unsupported operating system', 'Debian 13', 'not supported']),
    # A 32-bit personality (setarch i686): uname, facts and the module all see i686.
    ('thirty_two_bit', 'bad-deb12', {'ansible_python_interpreter': '/usr/local/bin/python3-i686'},
     ['Unsupported operating system', 'is 32-bit']),
    ('no_installer_for_token', 'bad-sles12', {},
     ['no installer for token SLES12-64']),
    ('installer_for_another_token', 'bad-rhel8',
     {'mobility_service_installer_source': 'controller', 'mobility_service_installer_dir': 'WRONG'},
     ['was built for DEBIAN12-64', 'needs RHEL8-64', 'not copied and nothing was run']),
    ('checksum_mismatch', 'bad-deb12',
     {'mobility_service_installer_source': 'controller', 'mobility_service_installer_dir': 'TAMPERED'},
     ['Checksum mismatch', 'not copied and nothing was run']),
    # asked only when a registration is planned (issue 12): here a fresh install + registration
    ('missing_passphrase', 'bad-deb12', {'mobility_service_passphrase': ''},
     ['Registration (classic) needs passphrase', 'Nothing was changed']),
    ('missing_config', 'bad-deb12', {'mobility_service_control_plane': 'modernized', 'mobility_service_config': ''},
     ['Registration (modernized) needs config', 'Nothing was changed']),
    ('cs_unreachable', 'bad-deb12', {'mobility_service_cs_address': '10.89.77.250'},
     ['configuration server 10.89.77.250', 'is not reachable from bad-deb12']),
    ('not_enough_disk', 'bad-deb12', {'mobility_service_min_free_root_mb': 1000000000},
     ['Not enough disk space', 'needs 1000000000']),
    ('wrong_passphrase', 'bad-deb12', {'mobility_service_passphrase': 'not-the-passphrase'},
     ['register failed', 'exited 14', 'wrong', 'rolled back']),
    # Hardening (issue 15): refused before any vendor program runs.
    ('staging_dir_owned_by_another_user', 'bad-deb12', {},
     ['/var/lib/asr-mobility', 'owned by uid 65534', 'Nothing was changed']),
    ('staging_dir_symlink', 'bad-deb12', {}, ['/var/lib/asr-mobility', 'symbolic link', 'Nothing was changed']),
    ('http_mirror_without_pinned_checksums', 'bad-deb12', {'mobility_service_allow_insecure_http': False},
     ['is plain http://', 'mobility_service_checksums', 'Nothing was changed']),
    ('host_source_without_pinned_checksums', 'bad-deb12',
     {'mobility_service_installer_source': 'host', 'mobility_service_installer_host_dir': '/srv/asr'},
     ["needs the installers' sha256 pinned in mobility_service_checksums"]),
    ('cs_address_injection', 'bad-deb12', {'mobility_service_cs_address': 'a|;e touch /PWNED #'},
     ['is not an IP address or host name', 'Nothing was changed']),
    ('passphrase_with_whitespace', 'bad-deb12', {'mobility_service_passphrase': 'two words'},
     ['passphrase contains whitespace']),
    ('passphrase_blank', 'bad-deb12', {'mobility_service_passphrase': '   '}, ['passphrase is blank']),
    ('config_not_json', 'bad-deb12', {'mobility_service_control_plane': 'modernized',
                                      'mobility_service_config': '/root/config.json'},
     ['config is not JSON', 'Nothing was changed']),
    ('remote_dir_with_space', 'bad-deb12', {'mobility_service_remote_dir': '/var/lib/asr mobility'},
     ['contains whitespace']),
    ('another_run_holds_the_host', 'bad-deb12', {'mobility_service_lock_timeout': 2},
     ['Another asr.mobility run (pid', 'Nothing was run']),
]

# What each case plants on the host before it runs (and undoes after).
PLANT = {
    'staging_dir_owned_by_another_user': ('mkdir -m 0700 /var/lib/asr-mobility && chown 65534:65534 /var/lib/asr-mobility',
                                          'rm -rf /var/lib/asr-mobility'),
    'staging_dir_symlink': ('mkdir -p /tmp/elsewhere && ln -s /tmp/elsewhere /var/lib/asr-mobility',
                            'rm -rf /var/lib/asr-mobility /tmp/elsewhere'),
    'another_run_holds_the_host': ('mkdir -p /run/lock && (setsid flock /run/lock/asr-mobility.lock sleep 120 '
                                   '>/dev/null 2>&1 &) && sleep 1',
                                   'pkill -f "flock /run/lock/asr-mobility.lock" || true'),
}
# The secret each case hands to the role, which must never appear in the output.
SECRETS_USED = {'wrong_passphrase': 'not-the-passphrase', 'passphrase_with_whitespace': 'two words'}


@pytest.mark.parametrize('case,host,extra,expected', CASES, ids=[c[0] for c in CASES])
def test_bad_input(lab, case, host, extra, expected):
    extra = dict(extra)
    if extra.get('mobility_service_installer_dir') == 'WRONG':
        extra['mobility_service_installer_dir'] = str(lab['wrong'])
    if extra.get('mobility_service_installer_dir') == 'TAMPERED':
        extra['mobility_service_installer_dir'] = str(lab['tampered'])
    reset(host)
    if case in PLANT:
        on_host(host, PLANT[case][0])
    if case == 'thirty_two_bit':
        on_host(host, 'printf \'#!/bin/sh\\nexec setarch i686 /usr/bin/python3 "$@"\\n\' > /usr/local/bin/python3-i686'
                      ' && chmod 0755 /usr/local/bin/python3-i686')
    try:
        result = deploy(host, extra)
    finally:
        if case in PLANT:
            on_host(host, PLANT[case][1])
    output = result.stdout + result.stderr
    # The secret this case used (the lab's own passphrase unless the case gives another) never shows.
    used = SECRETS_USED.get(case, lab['secret'])
    assert used not in output, 'the secret used in case %s is in the output' % case
    assert result.returncode != 0, output
    for text in expected:
        assert text in output, 'expected %r in the output of case %s:\n%s' % (text, case, output[-4000:])
    # The summary names the failure for this host.
    assert 'FAILED' in output
    runs = host_untouched(host)
    if case == 'wrong_passphrase':
        # install ran, the configurator failed with 14, the rollback uninstalled: host as it was.
        assert 'install exit=0' in runs and 'configurator exit=14' in runs and 'uninstall' in runs, runs
    else:
        assert runs == '', 'a vendor program ran in case %s:\n%s' % (case, runs)
    if case in ('checksum_mismatch', 'installer_for_another_token'):
        copied = on_host(host, 'ls /var/lib/asr-mobility 2>/dev/null').stdout.strip()
        assert copied == '', 'the installer was copied: %s' % copied
    if case == 'cs_address_injection':
        assert on_host(host, 'test -e /PWNED').returncode != 0, 'the injected command ran'


# -- issue 15, on lab hosts: a 2.16 controller's dict config, a module killed mid-registration ----------------------
# Where a secret of this collection could be left on a host (the vendor's own copy of the passphrase,
# /usr/local/InMage/private, is the agent's and not looked at).
SECRET_PLACES = '/run/asr-mobility /var/lib/asr-mobility /tmp /var/tmp /root'
VENV216_BIN = REPO / '.venv216' / 'bin'


def secret_on_host(host, secret):
    """Files under SECRET_PLACES holding ``secret``, and this collection's secret directories."""
    found = on_host(host, 'grep -rlF -- %s %s 2>/dev/null; true' % (shlex_quote(secret), SECRET_PLACES)).stdout
    return [line for line in found.splitlines() if line.strip()] + secret_dirs(host)


def secret_dirs(host):
    """This collection's private secret directories on the host (on /run when it is a tmpfs, else the work dir)."""
    return on_host(host, 'ls -d /run/asr-mobility/asr-mobility-secret-* /var/lib/asr-mobility/asr-mobility-secret-* '
                         '/tmp/asr-mobility-secret-* /var/tmp/asr-mobility-secret-* 2>/dev/null; true').stdout.split()


def shlex_quote(text):
    import shlex
    return shlex.quote(text)


@pytest.mark.skipif(not (VENV216_BIN / 'ansible-playbook').exists(), reason='no .venv216 (make venv216)')
def test_dict_config_from_a_216_controller_registers_with_json(lab):
    """ansible-core 2.16 templates a JSON string into a mapping: the config must still reach the
    vendor configurator as JSON (not Python text) and register; its certificate is never shown."""
    host = 'bad-216'
    reset(host)
    # What the agent reads (AzureRcmCli, linux_agent.read_identity): product_uuid, else dmidecode.
    bios_id = on_host(host, 'cat /sys/class/dmi/id/product_uuid 2>/dev/null || '
                            '/usr/sbin/dmidecode -s system-uuid 2>/dev/null | grep -v "^#"').stdout.strip()
    assert bios_id, 'the lab host has no system UUID'
    certificate = 'Lab-Client-Certificate-Never-Logged-216'
    # The vendor's AgentConfiguration fields the double's AzureRcmCli --verifyclientauth checks.
    config = {'BiosId': bios_id, 'ClientCertificate': certificate,
              'RcmProxyTransportSettings': {'RcmProxyAddress': ['appliance.lab.example'], 'Port': 443}}
    result = deploy(host, {'mobility_service_control_plane': 'modernized', 'mobility_service_config_source': 'inline',
                           'mobility_service_config': json.dumps(config)}, venv_bin=VENV216_BIN)
    output = result.stdout + result.stderr
    try:
        assert 'ansible-core 2.16' in sh(VENV216_BIN / 'ansible', '--version').stdout.replace('[core ', 'ansible-core ')
        assert result.returncode == 0, output[-6000:]
        written = on_host(host, 'cat /usr/local/ASR/Vx/etc/SourceConfig.json').stdout
        assert json.loads(written) == config, written  # JSON, not "{'BiosId': ...}"
        status = on_host(host, 'grep -h AGENT_CONFIGURATION_STATUS /usr/local/.vx_version').stdout
        assert 'Succeeded' in status, status
        assert certificate not in output
        assert secret_on_host(host, certificate) == []
    finally:
        deploy(host, {'mobility_service_state': 'absent'})


@pytest.mark.parametrize('signal_name', ['KILL', 'TERM'])
def test_module_killed_mid_registration_leaves_no_secret_and_the_next_run_recovers(lab, signal_name):
    """The module is killed while the vendor configurator talks to a slow configuration server (a
    second fake CS with --delay on the lab CS's address). SIGTERM: the secret directory is removed
    at once (signal handler, finally). SIGKILL: the next run removes it under the host lock. Either
    way the next run registers, and the passphrase is in no output and in no file of ours."""
    host = 'bad-kill'
    reset(host)
    cs_ip = sh('podman', 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
               'asr-lab-cs').stdout.strip()
    slow_port = 8453
    sh('podman', 'exec', '-d', 'asr-lab-cs', 'python3', '/opt/asr-lab/fake_cs/server.py', '--bind', cs_ip,
       '--port', str(slow_port), '--passphrase-file', '/run/asr-lab/cs-passphrase', '--state-dir',
       '/tmp/slow-cs-%s' % signal_name, '--delay', '60', '--quiet')
    outputs = []
    try:
        for attempt in range(50):  # noqa: B007
            if on_host(host, 'timeout 1 bash -c "</dev/tcp/%s/%d"' % (cs_ip, slow_port)).returncode == 0:
                break
            time.sleep(0.2)
        run = deploy(host, {'mobility_service_cs_port': slow_port}, background=True)
        killed = None
        deadline = time.time() + 300
        while time.time() < deadline and run.poll() is None:
            if secret_dirs(host) and \
                    on_host(host, 'pgrep -f UnifiedAgentConfigurator').stdout.strip():
                pids = on_host(host, 'pgrep -f AnsiballZ_agent').stdout.split()
                assert pids, 'no module process while the configurator runs'
                for pid in pids:  # the module's processes, by id
                    on_host(host, 'kill -%s %s' % (signal_name, pid))
                killed = pids
                break
            time.sleep(0.3)
        outputs.append(run.communicate(timeout=300)[0])
        assert killed, 'the registration was never caught running:\n%s' % outputs[-1][-4000:]
        left = secret_dirs(host)
        if signal_name == 'TERM':
            assert left == [], 'SIGTERM left the secret directory %s' % left
        else:
            assert left, 'SIGKILL cannot run a finally: the directory should be there for the next run to remove'
        for attempt in range(100):  # noqa: B007 the orphaned configurator gives up after its CS timeout
            if not on_host(host, 'pgrep -f UnifiedAgentConfigurator').stdout.strip():
                break
            time.sleep(0.3)
        again = deploy(host, {})
        outputs.append(again.stdout + again.stderr)
        assert again.returncode == 0, outputs[-1][-6000:]
        if signal_name == 'KILL':
            assert 'left by an interrupted earlier run' in outputs[-1], outputs[-1][-4000:]
        status = on_host(host, 'grep -h AGENT_CONFIGURATION_STATUS /usr/local/.vx_version').stdout
        assert 'Succeeded' in status, status
        for output in outputs:
            assert lab['secret'] not in output
        assert secret_on_host(host, lab['secret']) == []
    finally:
        server = on_host('cs', 'cat /tmp/slow-cs-%s/server.json 2>/dev/null' % signal_name).stdout
        if server.strip():
            sh('podman', 'exec', 'asr-lab-cs', 'kill', str(json.loads(server)['pid']), check=False)
        deploy(host, {'mobility_service_state': 'absent'})
