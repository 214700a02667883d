#!/usr/bin/env bash
# System packages GridPlanner needs beyond Python: a CJK font for Chinese text in
# the app and in rendered maps, the libraries Qt loads (offscreen and on X11), Xvfb
# and xwd for real-window screenshots, Chromium to check the offline HTML map, and
# poppler-utils (pdftotext, pdftoppm) to check the PDF atlas.
# Debian/Ubuntu; safe to run again (does nothing when all are present).
set -euo pipefail
packages=(fonts-noto-cjk libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
          libglib2.0-0 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0
          libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
          libxcb-xkb1 xvfb x11-apps chromium poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
