# Offline stand-in for ansible-test's get-pip bootstrap script: ensurepip, then the requested pip.
# Installed by `make ansible-test-cache` as ~/.ansible/test/cache/get_pip_<version>.py.
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet', '--upgrade'] + args)
