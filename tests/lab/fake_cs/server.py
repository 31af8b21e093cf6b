# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fake ASR configuration server for the lab (never shipped). Python 3 standard library only.

    python3 server.py --bind 127.0.0.1 --port 8443 --passphrase-file F --state-dir D

Plain HTTP (the real CS speaks HTTPS on 443). Endpoints:

* ``GET /healthz`` -> 200 ``{"status": "ok"}``
* ``POST /register`` (what the installer double's configurator sends) with a JSON object
  ``{"HostId", "HostName", "CSType", "AgentVersion", "OsToken", "Auth"}`` where
  ``Auth = sha256_hex("<HostId>:<passphrase>")`` -> 200 ``{"Status": "Registered", ...}``,
  403 ``{"Status": "Rejected"}`` (wrong passphrase), 400 (not JSON / fields missing).
* ``GET /registrations`` -> 200 ``{"registrations": [...], "rejected": [...]}``; one registration
  per HostId with ``count`` (successful registrations), ``first_seen``, ``last_seen``, ``client``.
* ``DELETE /registrations`` -> 200, forgets everything (lab reset).
* ``POST /sourceconfig`` with the "Agent Config Input" string (``AzureRcmCli
  --getagentconfiginput`` of the double) -> 200 a config.json for the modernized configurator:
  ``{..., "BiosId", "Fqdn", "ClientCertificate", "RcmProxyTransportSettings"}`` (a stand-in for the appliance).

State lives in ``<state-dir>/registrations.json`` (rewritten atomically on every change) and the
listening address in ``<state-dir>/server.json`` (``--port 0`` picks a free port). The passphrase
file is re-read on every request, so a lab can rotate it. Neither the passphrase nor the Auth
value is ever logged or stored. Binding to a wildcard address (0.0.0.0, ::) is refused unless
``--allow-wildcard`` is given.
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import hmac
import json
import os
import signal
import socket
import sys
import threading

try:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from socketserver import ThreadingMixIn
except ImportError:  # pragma: no cover - Python 2 is not supported
    raise SystemExit('python3 is required')

MAX_BODY = 64 * 1024
REQUIRED_FIELDS = ('HostId', 'HostName', 'Auth')


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def read_passphrase(path):
    with open(path, 'r') as handle:
        first = handle.readline()
    return first.rstrip('\r\n')


def expected_auth(host_id, passphrase):
    return hashlib.sha256(('%s:%s' % (host_id, passphrase)).encode('utf-8')).hexdigest()


class State(object):
    def __init__(self, state_dir):
        self.dir = state_dir
        self.path = os.path.join(state_dir, 'registrations.json')
        self.lock = threading.Lock()
        self.data = {'registrations': {}, 'rejected': []}
        if os.path.exists(self.path):
            with open(self.path) as handle:
                loaded = json.load(handle)
            regs = loaded.get('registrations', [])
            self.data['registrations'] = dict((r['HostId'], r) for r in regs)
            self.data['rejected'] = loaded.get('rejected', [])

    def snapshot(self):
        return {
            'registrations': sorted(self.data['registrations'].values(), key=lambda r: r['first_seen']),
            'rejected': list(self.data['rejected']),
        }

    def _save(self):
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as handle:
            json.dump(self.snapshot(), handle, indent=2, sort_keys=True)
            handle.write('\n')
        os.replace(tmp, self.path)

    def register(self, body, client):
        with self.lock:
            stamp = now()
            reg = self.data['registrations'].get(body['HostId'])
            if reg is None:
                reg = {'HostId': body['HostId'], 'first_seen': stamp, 'count': 0}
                self.data['registrations'][body['HostId']] = reg
            reg.update({
                'HostName': body.get('HostName'),
                'CSType': body.get('CSType'),
                'AgentVersion': body.get('AgentVersion'),
                'OsToken': body.get('OsToken'),
                'client': client,
                'last_seen': stamp,
            })
            reg['count'] += 1
            self._save()
            return dict(reg)

    def reject(self, body, client, reason):
        with self.lock:
            self.data['rejected'].append({
                'HostId': body.get('HostId'), 'HostName': body.get('HostName'),
                'client': client, 'time': now(), 'reason': reason,
            })
            self._save()

    def reset(self):
        with self.lock:
            self.data = {'registrations': {}, 'rejected': []}
            self._save()


class Handler(BaseHTTPRequestHandler):
    server_version = 'asr-fake-cs/1.0'
    protocol_version = 'HTTP/1.0'

    # --- plumbing ---
    def log_message(self, fmt, *args):  # requests only; bodies (Auth) never reach the log
        if not self.server.quiet:
            sys.stderr.write('%s %s %s\n' % (now(), self.client_address[0], fmt % args))

    def _send(self, code, obj):
        data = (json.dumps(obj, sort_keys=True) + '\n').encode('utf-8')
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return None
        return self.rfile.read(length) if length else b''

    # --- routes ---
    def do_GET(self):
        if self.path == '/healthz':
            self._send(200, {'status': 'ok'})
        elif self.path == '/registrations':
            with self.server.state.lock:
                snap = self.server.state.snapshot()
            self._send(200, snap)
        else:
            self._send(404, {'error': 'not found'})

    def do_DELETE(self):
        if self.path == '/registrations':
            self.server.state.reset()
            self._send(200, {'status': 'reset'})
        else:
            self._send(404, {'error': 'not found'})

    def do_POST(self):
        raw = self._body()
        if raw is None:
            self._send(400, {'error': 'bad Content-Length'})
            return
        if self.path == '/register':
            self._register(raw)
        elif self.path == '/sourceconfig':
            self._sourceconfig(raw)
        else:
            self._send(404, {'error': 'not found'})

    def _register(self, raw):
        client = self.client_address[0]
        try:
            body = json.loads(raw.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) and body.get(k) for k in REQUIRED_FIELDS):
            self._send(400, {'error': 'expected a JSON object with %s' % ', '.join(REQUIRED_FIELDS)})
            return
        if self.server.delay:
            threading.Event().wait(self.server.delay)
        try:
            passphrase = read_passphrase(self.server.passphrase_file)
        except (IOError, OSError):
            self._send(500, {'error': 'passphrase file unreadable on the server'})
            return
        want = expected_auth(body['HostId'], passphrase)
        if not hmac.compare_digest(want, body['Auth'].lower()):
            self.server.state.reject(body, client, 'passphrase')
            self._send(403, {'Status': 'Rejected', 'Reason': 'passphrase'})
            return
        reg = self.server.state.register(body, client)
        self._send(200, {'Status': 'Registered', 'HostId': reg['HostId'], 'count': reg['count']})

    def _sourceconfig(self, raw):
        """A stand-in for the appliance's config maker: the agent's input (``getagentconfiginput:<base64>``
        of ``{"BiosId", "Fqdn"}``, agent source AgentConfig.h lines 35-51) -> a config.json with the
        BiosId and Fqdn it was made for, a client certificate and this server as the RCM proxy
        (AgentConfig.h lines 64-108), which the double's AzureRcmCli --verifyclientauth checks."""
        text = raw.decode('utf-8', 'replace').strip()
        for prefix in ('getagentconfiginput:', 'Agent Config Input:'):
            if text.startswith(prefix):
                text = text[len(prefix):].strip()
        try:
            info = json.loads(base64.b64decode(text.encode('ascii'), validate=True).decode('utf-8'))
        except (ValueError, binascii.Error, UnicodeError):
            info = None
        if not isinstance(info, dict) or not info.get('BiosId'):
            self._send(400, {'error': 'expected the agent config input string (base64 JSON with BiosId)'})
            return
        # The vendor's AgentConfiguration fields (AgentConfig.h lines 64-108); the certificate is a
        # random token per config (the double's configurator only checks one is there).
        self._send(200, {
            'SubscriptionId': '00000000-0000-0000-0000-00000000a5b1', 'ContainerId': 'lab-container',
            'ContainerUniqueName': 'lab-vault', 'ResourceId': 'lab-vault-resource', 'ResourceLocation': 'lab',
            'BiosId': info['BiosId'],
            'Fqdn': info.get('Fqdn', ''),
            'ClientCertificate': base64.b64encode(os.urandom(24)).decode('ascii'),
            'RcmProxyTransportSettings': {'RcmProxyAddress': [self.server.appliance_fqdn],
                                          'Port': self.server.server_address[1]},
        })


class Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(bind, port, passphrase_file, state_dir, delay=0.0, quiet=False, appliance_fqdn=None,
                allow_wildcard=False):
    if bind in ('', '0.0.0.0', '::', '[::]') and not allow_wildcard:
        raise ValueError('refusing to bind a wildcard address (%r); give the loopback or the lab '
                         'network gateway, or --allow-wildcard' % (bind,))
    read_passphrase(passphrase_file)  # fail early when unreadable
    if not os.path.isdir(state_dir):
        os.makedirs(state_dir)
    server_cls = Server
    if ':' in bind:
        class Server6(Server):
            address_family = socket.AF_INET6
        server_cls = Server6
    server = server_cls((bind, port), Handler)
    server.state = State(state_dir)
    server.passphrase_file = passphrase_file
    server.delay = delay
    server.quiet = quiet
    server.appliance_fqdn = appliance_fqdn or bind
    info = {'bind': bind, 'port': server.server_address[1], 'pid': os.getpid()}
    tmp = os.path.join(state_dir, 'server.json.tmp')
    with open(tmp, 'w') as handle:
        json.dump(info, handle)
        handle.write('\n')
    os.replace(tmp, os.path.join(state_dir, 'server.json'))
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(description='Fake ASR configuration server (lab only).')
    parser.add_argument('--bind', default='127.0.0.1',
                        help='address to listen on (default 127.0.0.1; wildcards refused)')
    parser.add_argument('--port', type=int, default=8443, help='port (default 8443; 0 = any free port)')
    parser.add_argument('--passphrase-file', required=True, help='file whose first line is the passphrase')
    parser.add_argument('--state-dir', required=True, help='directory for registrations.json and server.json')
    parser.add_argument('--delay', type=float, default=0.0, help='seconds to wait before answering /register')
    parser.add_argument('--appliance-fqdn', default=None, help='RcmProxyAddress put in /sourceconfig answers '
                        '(default: the bind address)')
    parser.add_argument('--allow-wildcard', action='store_true', help='allow binding 0.0.0.0 / ::')
    parser.add_argument('--quiet', action='store_true', help='do not log requests to stderr')
    args = parser.parse_args(argv)
    try:
        server = make_server(args.bind, args.port, args.passphrase_file, args.state_dir, args.delay,
                             args.quiet, args.appliance_fqdn, args.allow_wildcard)
    except (ValueError, IOError, OSError) as exc:
        parser.exit(2, 'server.py: error: %s\n' % exc)

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stderr.write('fake CS listening on %s:%d (state %s)\n' % (args.bind, server.server_address[1], args.state_dir))
    sys.stderr.flush()
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
