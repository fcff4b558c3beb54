#!/usr/bin/env bash
# Build the Linux installers: a one-folder PyInstaller bundle (dist/workstation/) and a Debian
# package (dist/workstation_<version>_<arch>.deb: /opt/workstation, /usr/bin/workstation, a desktop
# entry and its icon).
#
# Usage: installers/build-linux.sh [--offline] [--no-deb]
#   --offline  build without downloading anything: the build environment is a new venv that sees the
#              packages of $PYTHON's environment (which must hold the workstation's dependencies and
#              PyInstaller: scripts/setup-env test,installer). Without it the build environment is a
#              new venv into which pip installs the wheel with its dependencies and PyInstaller.
#   --no-deb   stop after the bundle.
# Environment: PYTHON (default .venv/bin/python, else python3), OUT (default dist), BUILD (default
# build/installer).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
offline=0 deb=1
for arg in "$@"; do
  case "$arg" in
    --offline) offline=1 ;;
    --no-deb) deb=0 ;;
    *) echo "Unknown option $arg; use --offline or --no-deb." >&2; exit 2 ;;
  esac
done
py="${PYTHON:-}"
[ -n "$py" ] || { [ -x .venv/bin/python ] && py=.venv/bin/python || py=python3; }
py="$(command -v "$py")"
out="$(realpath -m "${OUT:-dist}")"
build="$(realpath -m "${BUILD:-build/installer}")"
unset PYTHONPATH PYTHONHOME WORKSTATION_RESOURCES  # analyse the installed package, never the source tree

rm -rf "$build" "$out/workstation"
mkdir -p "$build" "$out"

echo "1/4 wheel"
if [ "$offline" = 1 ]; then
  "$py" -m pip wheel -q --no-deps --no-build-isolation --no-index -w "$build/wheel" "$root"
else
  "$py" -m pip wheel -q --no-deps -w "$build/wheel" "$root"
fi
wheel="$(ls "$build"/wheel/workstation-*.whl)"

echo "2/4 build environment"
if [ "$offline" = 1 ]; then
  "$py" -m venv --without-pip "$build/venv"
  site="$("$build/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  "$py" -c 'import sysconfig; p = sysconfig.get_paths(); print(p["purelib"]); print(p["platlib"])' > "$site/build-parent.pth"
  "$build/venv/bin/python" -m pip install -q --no-deps --no-index --ignore-installed "$wheel"
else
  "$py" -m venv "$build/venv"
  "$build/venv/bin/python" -m pip install -q "workstation[installer] @ file://$wheel"
fi
version="$(cd "$build" && "$build/venv/bin/python" -c 'import workstation; print(workstation.__version__)')"

echo "3/4 bundle (PyInstaller)"
(cd "$build" && "$build/venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$out" --workpath "$build/work" "$root/installers/workstation.spec")
"$out/workstation/workstation" --version

if [ "$deb" = 1 ]; then
  echo "4/4 Debian package"
  installers/linux/build-deb.sh "$out/workstation" "$version" "$out"
fi
