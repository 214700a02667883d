#!/usr/bin/env bash
# System packages GridPlanner needs beyond Python: a CJK font for Chinese text in
# the app and in rendered maps, the libraries Qt loads even offscreen, Xvfb for
# real-window screenshots, and Chromium to check the offline HTML map.
# Debian/Ubuntu; safe to run again (does nothing when all are present).
set -euo pipefail
packages=(fonts-noto-cjk libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
          libglib2.0-0 libdbus-1-3 xvfb chromium)
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
