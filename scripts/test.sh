#!/usr/bin/env bash
# Set everything up (chromium included), then run the checks CI runs: ruff, mypy (strict), the test suite, and the
# manylinux wheel built, installed into a fresh virtualenv and run (scripts/build_wheels.sh).
# A screenshot of the HTML incident report is kept in build/test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export MYNUMBER_REQUIRE_BROWSER=1  # the HTML report test must run here, not be skipped
export MYNUMBER_REQUIRE_OCR=1  # and so must the OCR tests (setup.sh installed Tesseract and the Noto CJK font)
.venv/bin/ruff check detector tests scripts hatch_build.py
.venv/bin/mypy
.venv/bin/pytest -q "$@"
bash scripts/build_wheels.sh build/wheels  # the wheel an index accepts (manylinux), installed and run afresh
