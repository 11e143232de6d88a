#!/usr/bin/env bash
# Set everything up, then scan the bundled sample share (fixtures/share) and print the summary; then write the
# incident report of the same scan to build/demo-report.html (open it in a browser).
# The sample holds synthetic numbers only; one file sits in a web root (htdocs) by the rule's presumption, so the
# verdict is "possibly reportable" until a person confirms that the folder is reachable from outside.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --runtime  # the package alone: the test tools are scripts/test.sh's
export MYNUMBER_KEY="${MYNUMBER_KEY:-demo-key-not-secret}"
status=0
.venv/bin/mynumber scan fixtures/share "$@" || status=$?
case $status in
  0) echo "demo: exit status 0 - nothing found" ;;
  1) echo "demo: exit status 1 - findings, no reporting trigger" ;;
  3) echo "demo: exit status 3 - serious incident (reportable)" ;;
  5) echo "demo: exit status 5 - possibly reportable (see what to check above)" ;;
  *) echo "demo: the scan failed with exit status $status" >&2; exit "$status" ;;
esac
mkdir -p build
.venv/bin/mynumber scan fixtures/share --quiet --format json --output build/demo-scan.json || true
.venv/bin/mynumber report build/demo-scan.json --output build/demo-report.html
echo "demo: incident report written to build/demo-report.html (mynumber report --lang en for English)"
