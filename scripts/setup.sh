#!/usr/bin/env bash
# Install everything GridPlanner needs: system packages, then a virtual environment
# in .venv with the app and the development tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.gridplanner-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[all]"
  touch "$stamp"
fi
