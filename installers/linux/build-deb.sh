#!/usr/bin/env bash
# Package a Linux bundle as a .deb with dpkg-deb: the bundle under /opt/workstation, a launcher
# /usr/bin/workstation, a desktop entry (freedesktop.org Desktop Entry Specification 1.4) and its
# icon in the hicolor theme (Icon Theme Specification).
# Usage: installers/linux/build-deb.sh BUNDLE_DIR VERSION OUT_DIR
# DEB_COMPRESSION: xz (default, smallest), gzip (fastest) or zstd (dpkg 1.21.18+ / Ubuntu 21.10+ only).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bundle="$(realpath "$1")" version="$2" out="$(realpath -m "$3")"
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/256x256/apps"
cp -a "$bundle" "$stage/opt/workstation"
install -m 0755 "$here/workstation-launcher.sh" "$stage/usr/bin/workstation"
install -m 0644 "$here/workstation.desktop" "$stage/usr/share/applications/workstation.desktop"
install -m 0644 "$here/../icons/workstation.png" "$stage/usr/share/icons/hicolor/256x256/apps/workstation.png"
install -m 0755 "$here/postinst" "$stage/DEBIAN/postinst"
install -m 0755 "$here/postinst" "$stage/DEBIAN/postrm"
size="$(du -sk "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$here/control.in" > "$stage/DEBIAN/control"
mkdir -p "$out"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$stage" "$out/workstation_${version}_${arch}.deb" >/dev/null
echo "$out/workstation_${version}_${arch}.deb"
