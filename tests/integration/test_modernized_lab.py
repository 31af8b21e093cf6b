"""Modernized at fleet scale on real lab hosts (issue 14): harvest, per-host configs made by the
replication appliance, registration, migration from classic, and the bad appliances and configs.

Hosts are systemd containers of the podman lab (tests/lab/lab.py) running the installer double; the
replication appliance is the stand-in Windows host of tests/lab/appliance.py (no Windows host exists
here), whose RcmProxyAgent.exe binds each config.json to the BiosId inside the Agent Config Input it
is given. Each lab host has its own system UUID (the lab's dmidecode stand-in), so a config made for
one host is refused on another by the collection and by the double's AzureRcmCli --verifyclientauth
(AgentConfigHelpers.cpp IsConfigValid). What this proves is our role against our stand-in
appliance and our double, not against Microsoft's appliance.

After every run: the appliance's client certificate (the configs' secret) is in no playbook output,
not on the appliance (every config removed) and not in the hosts' staging, /run, /tmp, /var/tmp or
/root (only the agent's own persisted copy, <root>/Vx/etc/SourceConfig.json, holds it, as the vendor
keeps it).
"""

import csv
import json
import os
import shutil
import sys

import pytest
import yaml

from labkit import INVENTORY, REPO, VENV_BIN, ansible_env, build_installer, lab_passphrase, on_host, sh, write_sums

sys.path.insert(0, str(REPO / 'tests' / 'lab'))
sys.path.insert(0, str(REPO / 'tests' / 'runner'))
import appliance as lab_appliance  # noqa: E402 pylint: disable=wrong-import-position
from awx_layout import events, grep_tree, host_stats, inventory_json, private_data_dir  # noqa: E402 pylint: disable=wrong-import-position

BUILD = REPO / 'build' / 'modernized-lab'
HOSTS = {'mod-fresh': 'debian12', 'mod-migrate': 'debian12', 'mod-bad': 'debian12'}
OLD, NEW = '9.65.7411.1', '9.66.7567.1'

pytestmark = pytest.mark.skipif(shutil.which('podman') is None, reason='podman is not installed')


@pytest.fixture(scope='module')
def lab():
    if BUILD.exists():
        shutil.rmtree(BUILD)
    mirror = BUILD / 'mirror'
    mirror.mkdir(parents=True)
    for version in (OLD, NEW):
        build_installer('DEBIAN12-64', mirror, version=version)
    write_sums(mirror)
    secret = lab_passphrase(BUILD / 'cs.passphrase')
    sh(sys.executable, REPO / 'tests/lab/images/build.py', '--only', *sorted(set(HOSTS.values())), 'svc')
    sh(sys.executable, REPO / 'tests/lab/lab.py', 'up', '--hosts', ','.join('%s=%s' % i for i in HOSTS.items()),
       '--cs-passphrase-file', BUILD / 'cs.passphrase', '--mirror-dir', mirror, '--inventory', INVENTORY / 'hosts.yml')
    yield {'secret': secret}
    sh(sys.executable, REPO / 'tests/lab/lab.py', 'down', check=False)


def make_appliance(name, **options):
    directory = BUILD / name
    if directory.exists():
        shutil.rmtree(directory)
    tree = lab_appliance.up(str(directory), **options)
    return {'dir': directory, 'tree': tree, 'inventory': directory / 'inventory.yml',
            'cert': json.loads((directory / 'appliance.json').read_text())['appliance']['certificate']}


def playbook(name, hosts, appliance, extra, check=False):
    env = ansible_env(appliance['tree'])
    extra_file = BUILD / ('extra-%s.json' % '-'.join(hosts))
    extra_file.write_text(json.dumps(extra))
    argv = [VENV_BIN / 'ansible-playbook', '-i', INVENTORY, '-i', appliance['inventory'], REPO / 'playbooks' / name,
            '-l', ','.join(hosts), '-e', '@%s' % extra_file] + (['--check'] if check else [])
    result = sh(*argv, check=False, env=env, cwd=REPO)
    return result.returncode, result.stdout + result.stderr


def modernized(**more):
    extra = {'mobility_service_control_plane': 'modernized', 'mobility_service_config_source': 'appliance',
             'mobility_service_appliance': 'appliance'}
    extra.update(more)
    return extra


def agent(host):
    """(version, CSType, AGENT_CONFIGURATION_STATUS) read on the host; Nones when not installed."""
    vx = on_host(host, 'cat /usr/local/.vx_version 2>/dev/null').stdout
    values = dict(line.split('=', 1) for line in vx.splitlines() if '=' in line)
    conf = on_host(host, 'cat /usr/local/ASR/Vx/etc/drscout.conf 2>/dev/null').stdout
    cs_type = [line.split('=', 1)[1].strip() for line in conf.splitlines() if line.startswith('CSType=')]
    return values.get('VERSION'), (cs_type or [None])[0], values.get('AGENT_CONFIGURATION_STATUS')


def runs(host):
    return on_host(host, 'cat /var/log/asr-double/runs.log 2>/dev/null').stdout


def system_uuid(host):
    return on_host(host, '/usr/sbin/dmidecode -s system-uuid | grep -v "^#"').stdout.strip()


def assert_no_config_left(appliance, output, hosts):
    cert = appliance['cert']
    assert cert not in output, 'the config reached the playbook output'
    state = json.loads((appliance['dir'] / 'appliance.json').read_text())
    left = [p for p, info in state.get('files', {}).items() if cert in json.dumps(info)]
    assert left == [], 'config left on the appliance: %s' % left
    assert cert not in (appliance['dir'] / 'calls.jsonl').read_text(), 'the config is in a call to the appliance'
    for host in hosts:
        found = on_host(host, 'grep -rlF -- %s /var/lib/asr-mobility /run /tmp /var/tmp /root 2>/dev/null' % cert)
        assert found.stdout.strip() == '', 'config left on %s: %s' % (host, found.stdout)


def made(appliance):
    return json.loads((appliance['dir'] / 'appliance.json').read_text()).get('made') or []


def test_harvest_install_register_rerun_and_harvest_again(lab, tmp_path):
    appliance = make_appliance('appliance-fresh')
    host = 'mod-fresh'
    # Check mode first: the plan, nothing on the host, nothing on the appliance.
    rc, out = playbook('deploy_mobility.yml', [host], appliance, modernized(), check=True)
    assert rc == 0, out[-4000:]
    assert 'would make its config.json on the replication appliance appliance' in out
    assert agent(host) == (None, None, None) and runs(host) == '' and made(appliance) == []

    rc, out = playbook('deploy_mobility.yml', [host], appliance, modernized())
    assert rc == 0, out[-4000:]
    version, cs_type, status = agent(host)
    assert (cs_type, status) == ('CSPrime', 'Succeeded') and version.startswith('9.66')
    assert len(made(appliance)) == 1
    persisted = on_host(host, 'cat /usr/local/ASR/Vx/etc/SourceConfig.json').stdout
    assert json.loads(persisted)['BiosId'] == system_uuid(host) != ''
    assert 'configurator exit=0' in runs(host)
    assert_no_config_left(appliance, out, [host])

    # Converged: nothing changes, no config is made, no vendor program runs.
    before = runs(host)
    rc, out = playbook('deploy_mobility.yml', [host], appliance, modernized())
    assert rc == 0 and 'changed=0' in out, out[-4000:]
    assert len(made(appliance)) == 1 and runs(host) == before

    # Harvest: installs nothing, one row per host, says who is registered.
    harvest = tmp_path / 'harvest'
    rc, out = playbook('harvest_agent_config.yml', [host, 'mod-bad'], appliance,
                       {'asr_mobility_harvest_dir': str(harvest)})
    assert rc == 0, out[-4000:]
    rows = {r['host']: r for r in csv.DictReader(open(next(harvest.glob('*.csv'))))}
    assert set(rows) == {host, 'mod-bad'}, rows
    assert rows[host]['registered'].lower() == 'true'
    assert rows['mod-bad']['installed'].lower() == 'false'
    assert agent('mod-bad') == (None, None, None)


def test_migration_from_classic_with_the_appliance(lab):
    appliance = make_appliance('appliance-migrate')
    host = 'mod-migrate'
    rc, out = playbook('deploy_mobility.yml', [host], appliance, {'mobility_service_version': OLD})
    assert rc == 0, out[-4000:]
    classic = agent(host)
    assert classic[0].startswith('9.65.') and classic[1:] == ('CSLegacy', 'Succeeded'), classic

    rc, out = playbook('migrate_to_modernized.yml', [host], appliance,
                       {'mobility_service_appliance': 'appliance'}, check=True)
    assert rc == 0, out[-4000:]
    assert 'then a config.json from the appliance appliance and registration' in out, out[-4000:]
    assert agent(host) == classic and made(appliance) == []

    rc, out = playbook('migrate_to_modernized.yml', [host], appliance, {'mobility_service_appliance': 'appliance'})
    assert rc == 0, out[-4000:]
    version, cs_type, status = agent(host)
    assert version.startswith('9.66.') and (cs_type, status) == ('CSPrime', 'Succeeded'), (version, cs_type, status)
    assert len(made(appliance)) == 1
    assert_no_config_left(appliance, out, [host])


BAD = [
    # id, appliance options, extra vars, expected substrings, host rolled back after a fresh install
    ('appliance_unreachable', {'unreachable': True}, {}, ['replication appliance appliance', 'unreachable'], True),
    ('program_missing', {'program': False}, {}, ['has no', 'RcmProxyAgent.exe'], True),
    ('generation_fails', {'faults': ['generation']}, {}, ['could not make the config.json', 'exited 3'], True),
    ('config_not_json', {'faults': ['not_json']}, {}, ['config is not JSON'], True),
    ('config_for_another_machine', {'faults': ['other_machine']}, {}, ['made for another machine'], True),
    ('appliance_not_windows', {'os_family': 'Linux'}, {}, ['is not a Windows host', 'Nothing was changed'], False),
    ('config_missing_in_dir', {}, {'mobility_service_config_source': 'dir', 'mobility_service_config_dir': 'NODIR'},
     ['does not exist (mobility_service_config_source=dir)'], False),
]


@pytest.mark.parametrize('case,options,extra,expected,rolled_back', BAD, ids=[b[0] for b in BAD])
def test_bad_appliance_or_config(lab, tmp_path, case, options, extra, expected, rolled_back):
    host = 'mod-bad'
    on_host(host, 'rm -rf /var/lib/asr-mobility /var/log/asr-double/runs.log')
    appliance = make_appliance('appliance-' + case, **options)
    extra = modernized(**extra)
    if extra.get('mobility_service_config_dir') == 'NODIR':
        extra['mobility_service_config_dir'] = str(tmp_path)
    rc, out = playbook('deploy_mobility.yml', [host], appliance, extra)
    assert rc != 0, out[-4000:]
    for text in expected:
        assert text in out, 'expected %r in case %s:\n%s' % (text, case, out[-4000:])
    assert 'FAILED' in out
    assert agent(host) == (None, None, None), 'the host is not as it was'
    log = runs(host)
    if rolled_back:
        assert 'install exit=0' in log and 'uninstall' in log, log
        assert 'rolled back' in out
    else:
        assert log == '', log
    if not options.get('unreachable'):
        assert_no_config_left(appliance, out, [host])


def test_awx_modernized_job_leaves_no_config_in_its_artifacts(lab):
    """The AWX job template "Modernized rollout" run as AWX runs it (ansible-runner, a private data
    directory laid out by tests/runner/awx_layout.py): the host registers with a config made by the
    appliance, and no file under the job's artifacts (job events, stdout) holds the config."""
    import ansible_runner
    host = 'mod-bad'
    on_host(host, 'rm -rf /var/lib/asr-mobility /var/log/asr-double/runs.log')
    appliance = make_appliance('appliance-awx')
    templates = yaml.safe_load((REPO / 'awx' / 'job_templates.yml').read_text().replace('!unsafe ', ''))
    tmpl = next(t for t in templates['asr_awx_job_templates'] if 'Modernized rollout' in t['name'])
    answers = {q['variable']: q['default'] for q in tmpl['survey']['spec'] if q.get('default') not in (None, '')}
    answers.update(tmpl.get('extra_vars') or {}, mobility_service_appliance='appliance', asr_mobility_target=host)
    inv = yaml.safe_load((INVENTORY / 'hosts.yml').read_text())
    lab_vars = inv['all']['vars']
    hostvars = {host: dict(inv['all']['children']['asr_mobility']['hosts'][host], **lab_vars)}
    hostvars['appliance'] = yaml.safe_load(appliance['inventory'].read_text())[
        'all']['children']['replication_appliances']['hosts']['appliance']
    # What an AWX admin sets on the inventory for this site (no secrets: modernized needs none).
    group_vars = {'mobility_service_installer_source': 'url', 'mobility_service_installer_url': lab_vars['asr_lab_mirror_url'],
                  'mobility_service_allow_insecure_http': True, 'mobility_service_become': False,
                  'mobility_service_cs_address': lab_vars['asr_lab_cs_address'],
                  'mobility_service_cs_port': int(lab_vars['asr_lab_cs_port'])}
    groups = {'asr_mobility': {'hosts': [host], 'vars': group_vars}, 'replication_appliances': {'hosts': ['appliance']}}
    pdd = private_data_dir(BUILD, job_id=41, template_name=tmpl['name'], playbook=tmpl['playbook'],
                           inventory=inventory_json(groups, hostvars), extravars=answers, project=REPO,
                           envvars={'ANSIBLE_COLLECTIONS_PATH': '%s:%s' % (appliance['tree'], REPO / 'build' / 'collections'),
                                    'PATH': '%s:%s' % (VENV_BIN, os.environ.get('PATH', ''))})
    runner = ansible_runner.run(private_data_dir=str(pdd), playbook=tmpl['playbook'], ident='job_41', quiet=True)
    stdout = (pdd / 'artifacts' / 'job_41' / 'stdout').read_text()
    assert runner.rc == 0, stdout[-4000:]
    stats = host_stats(events(pdd, 'job_41'))
    assert stats[host]['failures'] == 0 and stats[host]['changed'] > 0, stats
    assert agent(host)[1:] == ('CSPrime', 'Succeeded')
    assert grep_tree(pdd / 'artifacts', appliance['cert']) == [], 'the config is in the job artifacts'
    assert_no_config_left(appliance, stdout, [host])
