#!/usr/bin/env bash
# The test suite: install (if needed), then lint, type-check, import contracts and
# pytest. Runs without a screen. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/lint-imports
.venv/bin/mypy
set +e
.venv/bin/python -m pytest -n 2 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
