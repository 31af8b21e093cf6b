# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fake configuration server (tests/lab/fake_cs/server.py)."""

import base64
import hashlib
import json
import os
import subprocess
import sys

import pytest

try:
    from lab_helpers import FAKE_CS, PASSPHRASE, start_fake_cs
except ImportError:  # ansible-test units imports the tests as a package
    from .lab_helpers import FAKE_CS, PASSPHRASE, start_fake_cs


def auth(host_id, passphrase=PASSPHRASE):
    return hashlib.sha256(('%s:%s' % (host_id, passphrase)).encode()).hexdigest()


def body(host_id='h-1', passphrase=PASSPHRASE):
    return {'HostId': host_id, 'HostName': 'web01', 'CSType': 'CSLegacy', 'AgentVersion': '9.66.0.0 build 7567',
            'OsToken': 'DEBIAN12-64', 'Auth': auth(host_id, passphrase)}


def test_healthz(fake_cs):
    assert fake_cs.request('GET', '/healthz') == (200, {'status': 'ok'})
    assert fake_cs.request('GET', '/nope')[0] == 404


def test_register_accepts_the_passphrase_and_counts(fake_cs):
    code, answer = fake_cs.request('POST', '/register', body())
    assert code == 200 and answer['Status'] == 'Registered' and answer['count'] == 1
    assert fake_cs.request('POST', '/register', body())[1]['count'] == 2
    regs = fake_cs.registrations()['registrations']
    assert [(r['HostId'], r['HostName'], r['count'], r['client']) for r in regs] == [('h-1', 'web01', 2, '127.0.0.1')]
    with open(os.path.join(fake_cs.state_dir, 'registrations.json')) as handle:
        assert json.load(handle)['registrations'][0]['count'] == 2


def test_register_rejects_a_wrong_passphrase(fake_cs):
    code, answer = fake_cs.request('POST', '/register', body(passphrase='wrong'))
    assert code == 403 and answer['Status'] == 'Rejected'
    state = fake_cs.registrations()
    assert state['registrations'] == [] and state['rejected'][0]['HostId'] == 'h-1'


@pytest.mark.parametrize('payload', [b'not json', b'[]', json.dumps({'HostId': 'x'}).encode()])
def test_register_bad_requests(fake_cs, payload):
    assert fake_cs.request('POST', '/register', payload)[0] == 400


def test_passphrase_rotation_and_reset(fake_cs):
    with open(fake_cs.passphrase_file, 'w') as handle:
        handle.write('rotated\n')
    assert fake_cs.request('POST', '/register', body())[0] == 403
    assert fake_cs.request('POST', '/register', body(passphrase='rotated'))[0] == 200
    assert fake_cs.request('DELETE', '/registrations')[0] == 200
    assert fake_cs.registrations() == {'registrations': [], 'rejected': []}


def test_sourceconfig_from_agent_config_input(fake_cs):
    info = {'BiosId': '4C4C4544-0042-3510-8052-B4C04F4D4B32', 'Fqdn': 'web01'}
    text = 'getagentconfiginput:' + base64.b64encode(json.dumps(info).encode()).decode()
    code, config = fake_cs.request('POST', '/sourceconfig', text)
    assert code == 200
    assert config['BiosId'] == '4C4C4544-0042-3510-8052-B4C04F4D4B32' and config['Fqdn'] == 'web01'
    assert config['RcmProxyTransportSettings'] == {'RcmProxyAddress': ['127.0.0.1'], 'Port': fake_cs.port}
    assert len(base64.b64decode(config['ClientCertificate'])) == 24
    assert config['ClientCertificate'] != fake_cs.request('POST', '/sourceconfig', text)[1]['ClientCertificate']
    assert fake_cs.request('POST', '/sourceconfig', 'garbage')[0] == 400
    no_bios = 'getagentconfiginput:' + base64.b64encode(json.dumps({'Fqdn': 'x'}).encode()).decode()
    assert fake_cs.request('POST', '/sourceconfig', no_bios)[0] == 400


def test_state_survives_a_restart(tmp_path):
    cs = start_fake_cs(str(tmp_path))
    try:
        assert cs.request('POST', '/register', body())[0] == 200
    finally:
        cs.proc.terminate()
        cs.proc.wait(10)
    cs = start_fake_cs(str(tmp_path))
    try:
        assert cs.registrations()['registrations'][0]['count'] == 1
        assert cs.request('POST', '/register', body())[1]['count'] == 2
    finally:
        cs.proc.terminate()
        cs.proc.wait(10)


def test_secrets_are_not_logged_or_stored(fake_cs):
    fake_cs.request('POST', '/register', body())
    fake_cs.request('POST', '/register', body(passphrase='wrong'))
    fake_cs.proc.terminate()
    fake_cs.proc.wait(10)
    texts = [open(fake_cs.log_path).read()]
    for name in os.listdir(fake_cs.state_dir):
        with open(os.path.join(fake_cs.state_dir, name)) as handle:
            texts.append(handle.read())
    assert 'POST /register' in texts[0]
    for secret in (PASSPHRASE, auth('h-1')):
        assert not [t for t in texts if secret in t]


@pytest.mark.parametrize('bind', ['0.0.0.0', '::'])
def test_wildcard_bind_is_refused(tmp_path, bind):
    pfile = tmp_path / 'p'
    pfile.write_text('x\n')
    res = subprocess.run([sys.executable, FAKE_CS, '--bind', bind, '--port', '0', '--passphrase-file', str(pfile),
                          '--state-dir', str(tmp_path / 's')], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, timeout=30, check=False)
    assert res.returncode == 2 and 'wildcard' in res.stderr


def test_missing_passphrase_file_is_an_error(tmp_path):
    res = subprocess.run([sys.executable, FAKE_CS, '--port', '0', '--passphrase-file', str(tmp_path / 'none'),
                          '--state-dir', str(tmp_path / 's')], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, timeout=30, check=False)
    assert res.returncode == 2
