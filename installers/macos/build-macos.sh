#!/usr/bin/env bash
# Build the macOS app (dist/Workstation.app, with the command-line `workstation` inside
# Contents/MacOS) and a disk image (dist/Workstation-<version>.dmg), optionally signed and notarised.
# Written for macOS 11+ with Python 3.11 from python.org (universal2); NOT run by this project's CI
# (see README). Build on the architecture you ship (arm64 and x86_64 need one build each, or a
# universal2 Python with universal2 wheels of every dependency).
#
# Usage: installers/macos/build-macos.sh [--sign]
#   --sign  sign with a "Developer ID Application" identity (hardened runtime, secure timestamp),
#           notarise with Apple's notary service and staple the ticket. Needs:
#           SIGN_IDENTITY="Developer ID Application: Practice Name (TEAMID)" and a notarytool
#           keychain profile NOTARY_PROFILE (xcrun notarytool store-credentials NOTARY_PROFILE ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD build=$root/build/installer out=$root/dist sign=0
[ "${1:-}" = "--sign" ] && sign=1
unset PYTHONPATH PYTHONHOME
rm -rf "$build" "$out/workstation" "$out/Workstation.app"
mkdir -p "$build" "$out"

echo "1/5 wheel"
python3.11 -m pip wheel -q --no-deps -w "$build/wheel" "$root"
wheel="$(ls "$build"/wheel/workstation-*.whl)"

echo "2/5 build environment"
python3.11 -m venv "$build/venv"
"$build/venv/bin/python" -m pip install -q "workstation[installer] @ file://$wheel"
version="$(cd "$build" && "$build/venv/bin/python" -c 'import workstation; print(workstation.__version__)')"

echo "3/5 bundle (PyInstaller)"
(cd "$build" && "$build/venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$out" --workpath "$build/work" "$root/installers/workstation.spec")
"$out/Workstation.app/Contents/MacOS/workstation" --version

if [ "$sign" = 1 ]; then
  echo "4/5 signing and notarisation"
  codesign --force --deep --options runtime --timestamp \
    --entitlements "$root/installers/macos/entitlements.plist" --sign "$SIGN_IDENTITY" "$out/Workstation.app"
  codesign --verify --deep --strict --verbose=2 "$out/Workstation.app"
  ditto -c -k --keepParent "$out/Workstation.app" "$build/Workstation.zip"
  xcrun notarytool submit "$build/Workstation.zip" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$out/Workstation.app"
  spctl --assess --type execute --verbose "$out/Workstation.app"
fi

echo "5/5 disk image"
hdiutil create -volname "Workstation $version" -srcfolder "$out/Workstation.app" -ov -format UDZO \
  "$out/Workstation-$version.dmg"
if [ "$sign" = 1 ]; then
  codesign --sign "$SIGN_IDENTITY" --timestamp "$out/Workstation-$version.dmg"
  xcrun notarytool submit "$out/Workstation-$version.dmg" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$out/Workstation-$version.dmg"
fi
