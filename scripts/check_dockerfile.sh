#!/usr/bin/env bash
# Where docker is missing: lint the Dockerfile (tests/test_dockerfile.py), then replay what its image does on
# this Debian machine: the wheel built as the build stage builds it, installed into a fresh virtualenv of
# Debian's own python3 (as the image's /opt/mynumber), and the image's default command (the sample share's scan)
# run as an unprivileged user with an empty home. Debian's packages are scripts/setup.sh's (run it first).
# It does not build the image: `docker build -t mynumber . && docker run --rm mynumber` does, where docker is.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pytest -q -p no:cacheprovider tests/test_dockerfile.py
scratch=$(mktemp -d /tmp/mynumber-image.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# The build stage's COPY: the wheel is built from a copy (a build compiles the C speed-ups next to their source).
mkdir "$scratch/src"
cp -r pyproject.toml hatch_build.py README.md LICENSE CHANGELOG.md detector rules "$scratch/src/"
find "$scratch/src" \( -name '*.so' -o -name __pycache__ \) -prune -exec rm -rf {} +
/usr/bin/python3 -m venv "$scratch/build"
"$scratch/build/bin/pip" wheel -q --no-cache-dir --no-deps --wheel-dir "$scratch/wheels" "$scratch/src"
/usr/bin/python3 -m venv "$scratch/opt"
"$scratch/opt/bin/pip" install -q --no-cache-dir "$scratch"/wheels/*.whl
cp -r fixtures/share "$scratch/share"
mkdir "$scratch/home"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$scratch/home"; chmod -R a+rX "$scratch"; run_as=(runuser -u nobody --)
fi
status=0
(cd "$scratch" && "${run_as[@]}" env -i HOME="$scratch/home" PATH="$scratch/opt/bin:/usr/bin:/bin" \
  mynumber scan "$scratch/share") > "$scratch/out.txt" || status=$?
cat "$scratch/out.txt"
grep -q '^Summary' "$scratch/out.txt" || { echo "check_dockerfile: no summary printed" >&2; exit 1; }
case $status in
  1|3|5) echo "check_dockerfile: the image's steps ran; the sample scan exited $status (findings)" ;;
  *) echo "check_dockerfile: the sample scan exited $status" >&2; exit 1 ;;
esac
