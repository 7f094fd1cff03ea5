#!/bin/sh
# Installs o11y-lab from a release, on Linux or macOS (Windows: install.ps1): the archive for this OS and CPU,
# checked against the release's SHA256SUMS, its binary run once, then put in a directory of your own.
#
#   curl -fsSL https://github.com/o11y-lab/o11y-lab/releases/latest/download/install.sh | sh
#
# O11Y_LAB_RELEASE      where the release files are: a URL or a local directory (default: the latest release)
# O11Y_LAB_INSTALL_DIR  where the binary goes (default: ~/.local/bin)
set -eu

RELEASE="${O11Y_LAB_RELEASE:-https://github.com/o11y-lab/o11y-lab/releases/latest/download}"
INSTALL_DIR="${O11Y_LAB_INSTALL_DIR:-$HOME/.local/bin}"

die() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "there is no o11y-lab release for $(uname -s): this script is for Linux and macOS, install.ps1 for Windows" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "there is no o11y-lab release for a $(uname -m) CPU, only for x64 and arm64" ;;
esac
# A shell under Rosetta on an Apple Silicon Mac reports x86_64; the native build is the one to install.
if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
  arch=arm64
fi
archive="o11y-lab-$os-$arch.tar.gz"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() { # a release file, into $tmp
  case "$RELEASE" in
    http://* | https://*)
      if command -v curl >/dev/null 2>&1; then
        curl -fsSL -o "$tmp/$1" "$RELEASE/$1"
      elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$tmp/$1" "$RELEASE/$1"
      else
        die "need curl or wget to download $RELEASE/$1"
      fi || die "could not download $RELEASE/$1"
      ;;
    *) cp "$RELEASE/$1" "$tmp/$1" 2>/dev/null || die "there is no $1 in $RELEASE" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1
}

fetch SHA256SUMS
fetch "$archive"
expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1 }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS in $RELEASE has no line for $archive"
actual=$(sha256 "$tmp/$archive")
[ "$actual" = "$expected" ] ||
  die "$archive does not match SHA256SUMS (expected $expected, got $actual): nothing installed; download it again"

mkdir "$tmp/unpacked"
tar -xzf "$tmp/$archive" -C "$tmp/unpacked"
binary=$(find "$tmp/unpacked" -type f -name o11y-lab | head -n 1)
[ -n "$binary" ] || die "$archive holds no o11y-lab binary"
mkdir -p "$INSTALL_DIR"
# Run it once where it will live (a temp dir may be noexec), then replace by rename: a running lab keeps the file it
# mounted, and no one ever sees a half-copied binary.
new="$INSTALL_DIR/.o11y-lab.new"
cp "$binary" "$new"
chmod 755 "$new"
version=$("$new" --version 2>/dev/null) || {
  rm -f "$new"
  die "the o11y-lab in $archive does not run on this machine: nothing installed"
}
mv -f "$new" "$INSTALL_DIR/o11y-lab"
echo "o11y-lab $version installed: $INSTALL_DIR/o11y-lab"
case ":$PATH:" in
  *":$INSTALL_DIR:"*) echo "Start the lab: o11y-lab up" ;;
  *)
    echo "$INSTALL_DIR is not on your PATH. Add it, then open a new terminal:"
    echo "  echo 'export PATH=\"$INSTALL_DIR:\$PATH\"' >> ~/.profile   # zsh (macOS): ~/.zshrc"
    echo "Or start the lab now: $INSTALL_DIR/o11y-lab up"
    ;;
esac
