#!/usr/bin/env bash
# Build the C speed-ups with AddressSanitizer and UndefinedBehaviorSanitizer into a scratch copy of the package
# and run the tests that exercise them (the ASCII pass on random bytes, the lister on odd folders, the engines'
# agreement). Any out-of-bounds read, leak of a buffer's end or undefined operation stops the run with a report.
# Needs gcc (its libasan and libubsan); run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r detector rules pyproject.toml tests "$scratch"/
rm -f "$scratch"/detector/*.so
include=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
suffix=$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
gcc -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -fPIC -shared \
  -I "$include" detector/_speedups.c -o "$scratch/detector/_speedups$suffix"
cd "$scratch"
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
  PYTHONPATH="$scratch" "$OLDPWD/$python" -m pytest -q -p no:cacheprovider \
  tests/test_speedups.py tests/test_walk.py tests/test_engines.py tests/test_state.py
echo "sanitize: the C speed-ups ran clean under ASan and UBSan" >&2
