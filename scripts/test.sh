#!/usr/bin/env bash
# Set everything up, then run the checks CI runs: ruff, mypy (strict) and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check detector tests scripts
.venv/bin/mypy
.venv/bin/pytest -q "$@"
