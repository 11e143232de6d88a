#!/usr/bin/env bash
# The Dockerfile checked: linted first (tests/test_dockerfile.py), then
# - where a Docker daemon answers: the image built (BuildKit), its default command run (the sample share's scan
#   prints the summary), and a folder of the host mounted read-only and scanned as the image's non-root user; both
#   runs have no network (a scan needs none). The image is removed at the end. Behind a TLS-intercepting proxy the
#   CA bundle the host's pip trusts (PIP_CERT, else MYNUMBER_BUILD_CA) is handed to the build as its `ca` secret.
#   MYNUMBER_DOCKER_NETWORK names the build's network (`host` where the daemon has no bridge; default: docker's);
#   DOCKER names the client (one with BuildKit: buildx, or docker 20.10's own; default: the docker on PATH).
# - elsewhere: what the image does replayed on this Debian machine: the wheels built as the build stage builds
#   them, installed without an index into a fresh virtualenv of Debian's own python3 (as the image's
#   /opt/mynumber), and the image's default command run as an unprivileged user with an empty home. Debian's
#   packages are scripts/setup.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pytest -q -p no:cacheprovider tests/test_dockerfile.py
scratch=$(mktemp -d /tmp/mynumber-image.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

# A scan exits 1, 3 or 5 when it finds numbers (the sample share holds synthetic ones); anything else fails here.
expect_summary() {  # expect_summary WHAT STATUS FILE
  cat "$3"
  grep -q '^Summary' "$3" || { echo "check_dockerfile: $1: no summary printed" >&2; exit 1; }
  case $2 in
    1|3|5) echo "check_dockerfile: $1 exited $2 (findings)" ;;
    *) echo "check_dockerfile: $1 exited $2" >&2; exit 1 ;;
  esac
}

check_with_docker() {
  local image="mynumber-check:$$" ca="${PIP_CERT:-${MYNUMBER_BUILD_CA:-}}" status=0
  local build=("$docker" build --tag "$image" --network "${MYNUMBER_DOCKER_NETWORK:-default}")
  if [ -n "$ca" ]; then build+=(--secret "id=ca,src=$ca"); fi
  # shellcheck disable=SC2064  # expanded now: $image is local to this function
  trap "$(printf '%q image rm --force %q >/dev/null 2>&1 || true; rm -rf %q' "$docker" "$image" "$scratch")" EXIT
  DOCKER_BUILDKIT=1 "${build[@]}" .
  "$docker" image ls "$image"
  "$docker" run --rm --network none "$image" > "$scratch/demo.txt" || status=$?
  expect_summary "docker run (the sample share)" "$status" "$scratch/demo.txt"
  cp -r fixtures/share "$scratch/share" && chmod -R a+rX "$scratch/share"
  local uid
  uid=$("$docker" run --rm --network none --entrypoint id "$image" -u)
  [ "$uid" != 0 ] || { echo "check_dockerfile: the image runs as root" >&2; exit 1; }
  status=0
  "$docker" run --rm --network none -v "$scratch/share:/data:ro" "$image" scan /data > "$scratch/mounted.txt" \
    || status=$?
  expect_summary "docker run -v (a mounted folder, as uid $uid)" "$status" "$scratch/mounted.txt"
}

replay_on_debian() {
  # The build stage's COPY: the wheel is built from a copy (a build compiles the C speed-ups next to their source).
  mkdir "$scratch/src"
  cp -r pyproject.toml hatch_build.py README.md LICENSE CHANGELOG.md detector rules "$scratch/src/"
  find "$scratch/src" \( -name '*.so' -o -name __pycache__ \) -prune -exec rm -rf {} +
  /usr/bin/python3 -m venv "$scratch/build"
  "$scratch/build/bin/pip" wheel -q --no-cache-dir --wheel-dir "$scratch/wheels" "$scratch/src"
  /usr/bin/python3 -m venv "$scratch/opt"
  "$scratch/opt/bin/pip" install -q --no-cache-dir --no-index --find-links "$scratch/wheels" mynumber-scan
  cp -r fixtures/share "$scratch/share"
  mkdir "$scratch/home"
  local run_as=() status=0
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$scratch/home"; chmod -R a+rX "$scratch"; run_as=(runuser -u nobody --)
  fi
  (cd "$scratch" && "${run_as[@]}" env -i HOME="$scratch/home" PATH="$scratch/opt/bin:/usr/bin:/bin" \
    mynumber scan "$scratch/share") > "$scratch/out.txt" || status=$?
  expect_summary "the sample scan (the image's steps replayed; no docker daemon)" "$status" "$scratch/out.txt"
}

docker=${DOCKER:-docker}
if command -v "$docker" >/dev/null && "$docker" info >/dev/null 2>&1; then
  check_with_docker
else
  replay_on_debian
fi
