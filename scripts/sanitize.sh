#!/usr/bin/env bash
# Build the C speed-ups with AddressSanitizer and UndefinedBehaviorSanitizer into a scratch copy of the package
# and run the tests that exercise them (the ASCII pass on random bytes, the lister on odd folders, the engines'
# agreement), with SSE2 and with the portable loop. Any out-of-bounds access or undefined operation stops the
# run with a report.
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
root=$PWD
# Twice: as built here (SSE2 on x86_64), and with the portable mask-building loop other machines compile.
for variant in "" "-U__SSE2__"; do
  gcc -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -fPIC -shared \
    $variant -I "$include" detector/_speedups.c -o "$scratch/detector/_speedups$suffix"
  (cd "$scratch" &&
    ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
    PYTHONPATH="$scratch" "$root/$python" -m pytest -q -p no:cacheprovider \
    tests/test_speedups.py tests/test_walk.py tests/test_engines.py tests/test_state.py tests/test_prefetch.py)
  echo "sanitize: the C speed-ups${variant:+ ($variant)} ran clean under ASan and UBSan" >&2
done
