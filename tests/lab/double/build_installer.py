# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build an installer DOUBLE of the ASR Mobility Service Linux agent (lab only, never shipped).

    python3 tests/lab/double/build_installer.py --version 9.66.7567.1 --token DEBIAN12-64 \\
        --out-dir build/installers [--date 20Sep2025] [--fault kernel --fault slow=5]

writes ``Microsoft-ASR_UA_<version>_<TOKEN>_GA_<date>_release.tar.gz`` and prints its path.
The tarball holds the members at top level as ``./install``, ``./.vx_version`` ... (reference
§1.1); scripts are 0755. Output is deterministic: the same arguments give the same bytes.
See tests/lab/double/README.md for what the scripts do.
"""

import argparse
import calendar
import datetime
import gzip
import io
import os
import platform
import re
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, 'templates')

VERSION_RE = re.compile(r'^(\d+)\.(\d+)\.(\d+)\.(\d+)$')
TOKEN_RE = re.compile(r'^[A-Za-z0-9.\-]+$')
DATE_RE = re.compile(r'^(\d{2})([A-Za-z]{3})(\d{4})$')
FAULT_RE = re.compile(r'^(prereq|kernel|service|killed|stop|space|uninstall_inner|register_fail|slow)(=\d+)?$')

# Runtime fault words (also accepted in /etc/asr-double/faults on the target).
FAULTS = ('prereq', 'kernel', 'service', 'slow', 'killed', 'stop', 'space', 'uninstall_inner', 'register_fail')

# Scripts at the top of the tarball, then the payload (installed under <root>/Vx/bin).
TOP_SCRIPTS = ('install', 'install_vx', 'uninstall.sh', 'OS_details.sh', 'prereq_check_install.sh')
TOP_DATA = ('libcommon.sh', 'Third-Party_Notices.txt')
PAYLOAD_BIN = ('UnifiedAgentConfigurator.sh', 'svagents', 'start', 'stop', 'uninstall', 'AzureRcmCli')

# Kernels listed besides the build host's (they share the kernel with podman containers).
SAMPLE_KERNELS = (
    '3.10.0-1160.el7.x86_64',
    '4.15.0-213-generic',
    '4.18.0-553.el8_10.x86_64',
    '5.4.0-200-generic',
    '5.14.0-427.13.1.el9_4.x86_64',
    '5.15.0-124-generic',
    '6.1.0-26-amd64',
)


def _parse_date(date):
    m = DATE_RE.match(date or '')
    if not m:
        raise ValueError('date must look like 20Sep2025, got %r' % (date,))
    day, mon, year = int(m.group(1)), m.group(2).capitalize(), int(m.group(3))
    months = dict((calendar.month_abbr[i], i) for i in range(1, 13))
    if mon not in months:
        raise ValueError('unknown month in date %r' % (date,))
    when = datetime.datetime(year, months[mon], day, tzinfo=datetime.timezone.utc)
    return when, mon


def _normalise_faults(faults):
    if faults is None:
        return []
    if isinstance(faults, str):
        faults = [f for f in re.split(r'[\s,]+', faults) if f]
    out = []
    for fault in faults:
        fault = str(fault).strip()
        if not FAULT_RE.match(fault):
            raise ValueError('unknown fault %r (known: %s; slow takes =SECONDS)' % (fault, ', '.join(FAULTS)))
        out.append(fault)
    return out


def vx_version_text(version, token, date='20Sep2025'):
    """The package's ``.vx_version`` (reference §1.5): VERSION=maj.min.0.0, the build number in
    BUILD_TAG field 5, INSTALLATION_DIR left as the vendor's placeholder."""
    m = VERSION_RE.match(version or '')
    if not m:
        raise ValueError('version must be N.N.N.N, got %r' % (version,))
    major, minor, build = m.group(1), m.group(2), m.group(3)
    when, mon = _parse_date(date)
    short = '%s.%s.0.0' % (major, minor)
    return (
        'VERSION=%s\n'
        'PROD_VERSION=%s\n'
        'PARTNER=InMage\n'
        'INSTALLATION_DIR=RUNTIME_INSTALL_PATH\n'
        'BUILD_TAG=RELEASE_%s_GA_%s_%s_%02d_%04d_INMAGE\n'
        'OS_BUILT_FOR=%s\n'
    ) % (short, short, short, build, mon, when.day, when.year, token)


def installer_name(version, token, date='20Sep2025'):
    return 'Microsoft-ASR_UA_%s_%s_GA_%s_release.tar.gz' % (version, token, date)


def supported_kernels_text(faults, token=''):
    kernels = list(SAMPLE_KERNELS)
    running = platform.release()
    if 'kernel' in faults:
        kernels = [k for k in kernels if k != running]
    elif running not in kernels:
        kernels.append(running)
    # SLES 12/15 lists carry "<kernel>:<patchlevel>" lines (reference §1.8; the vendor greps
    # "^<kernel>:", prereq_check_install.sh:542-549); every other family lists bare kernels.
    suffix = ':0' if token.upper() in ('SLES12-64', 'SLES15-64') else ''
    return ''.join(k + suffix + '\n' for k in sorted(kernels))


def build(version, token, out_dir, date='20Sep2025', faults=None):
    """Write the installer double into ``out_dir`` and return its path.

    ``faults``: iterable (or comma/space separated string) of fault words baked into the package
    (``prereq``, ``kernel``, ``service``, ``slow[=N]``, ``killed``, ``stop``, ``space``,
    ``uninstall_inner``, ``register_fail``); the target's ``/etc/asr-double/faults`` adds more at
    run time.
    """
    if not TOKEN_RE.match(token or ''):
        raise ValueError('bad OS token %r' % (token,))
    faults = _normalise_faults(faults)
    fault_words = [f.split('=', 1)[0] for f in faults]
    vx_text = vx_version_text(version, token, date)
    when, _mon = _parse_date(date)
    mtime = int(when.timestamp())

    members = []  # (arcname, bytes, mode)

    def add_file(arcname, path, mode):
        with open(path, 'rb') as handle:
            members.append((arcname, handle.read(), mode))

    for name in TOP_SCRIPTS:
        add_file('./' + name, os.path.join(TEMPLATES, name), 0o755)
    for name in TOP_DATA:
        add_file('./' + name, os.path.join(TEMPLATES, name), 0o644)
    for name in PAYLOAD_BIN:
        add_file('./payload/Vx/bin/' + name, os.path.join(TEMPLATES, 'payload', 'Vx', 'bin', name), 0o755)
    members.append(('./.vx_version', vx_text.encode('ascii'), 0o644))
    members.append(('./supported_kernels', supported_kernels_text(fault_words, token).encode('ascii'), 0o644))
    if faults:
        text = '# faults baked in at build time by build_installer.py\n' + ''.join(f + '\n' for f in faults)
        members.append(('./.asr_double_faults', text.encode('ascii'), 0o644))

    dirs = set()
    for arcname, _data, _mode in members:
        parent = arcname.rsplit('/', 1)[0]
        while parent not in ('.', ''):
            dirs.add(parent)
            parent = parent.rsplit('/', 1)[0]

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.GNU_FORMAT) as tar:
        for d in sorted(dirs):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            info.mtime = mtime
            info.uname = info.gname = 'root'
            tar.addfile(info)
        for arcname, data, mode in sorted(members):
            info = tarfile.TarInfo(arcname)
            info.size = len(data)
            info.mode = mode
            info.mtime = mtime
            info.uname = info.gname = 'root'
            tar.addfile(info, io.BytesIO(data))

    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    path = os.path.join(out_dir, installer_name(version, token, date))
    tmp = path + '.tmp'
    with open(tmp, 'wb') as handle:
        with gzip.GzipFile(filename='', mode='wb', fileobj=handle, mtime=0) as gz:
            gz.write(raw.getvalue())
    os.replace(tmp, path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description='Build an ASR Mobility Service installer double (lab only).')
    parser.add_argument('--version', required=True, help='package version, e.g. 9.66.7567.1')
    parser.add_argument('--token', required=True, help='OS token, e.g. DEBIAN12-64, RHEL8-64')
    parser.add_argument('--out-dir', required=True, help='directory to write the tarball into')
    parser.add_argument('--date', default='20Sep2025', help='release date in the name (ddMonYYYY)')
    parser.add_argument('--fault', action='append', default=[], metavar='WORD',
                        help='bake a fault in (repeatable): %s; slow=SECONDS' % ', '.join(FAULTS))
    args = parser.parse_args(argv)
    try:
        print(build(args.version, args.token, args.out_dir, date=args.date, faults=args.fault))
    except ValueError as exc:
        parser.error(str(exc))
    return 0


if __name__ == '__main__':
    sys.exit(main())
