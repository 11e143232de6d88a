#!/usr/bin/env bash
# Set up everything mynumber needs on a fresh Debian/Ubuntu machine with Python 3.11+:
#   - Debian's libmagic1 (python-magic's library) and libarchive13 (libarchive-c's: 7z, RAR, LZH), installed with
#     apt-get where missing, and python3-dev where gcc is present but Debian's Python lacks its headers (for the
#     optional C speed-ups);
#   - Debian's Tesseract and its Japanese model (tesseract-ocr, tesseract-ocr-jpn), for reading pictures and
#     image-only PDF pages by OCR (the tesserocr wheel from PyPI carries its own libtesseract and reads Debian's
#     models; nothing is downloaded at run time);
#   - a virtualenv in .venv with mynumber installed (editable), HEIF photos (pillow-heif) and its test tools;
#   - with --browser, Debian's chromium too (the tests open the HTML incident report in it), and apache2-bin (a
#     test runs Apache on loopback);
#   - with --runtime, the package alone instead (what scripts/demo.sh needs: no test tools, no HEIF, no browser).
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
case "$mode" in
  ""|--browser|--runtime) ;;
  *) echo "usage: scripts/setup.sh [--browser | --runtime]" >&2; exit 2 ;;
esac

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

python=""
for candidate in python3 python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    python=$candidate; break
  fi
done
[ -n "$python" ] || { echo "setup: Python 3.11 or newer is needed" >&2; exit 4; }

packages=()
# The optional C speed-ups are compiled at install: Debian's own Python keeps its headers in python3-dev.
if command -v gcc >/dev/null 2>&1 && [ "$("$python" -c 'import sys; print(sys.prefix)')" = /usr ] &&
   ! "$python" -c 'import os, sys, sysconfig; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)'; then
  packages+=(python3-dev)
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1'; then
  packages+=(libmagic1)  # python-magic's library
fi
# OCR: Tesseract (the fallback engine, and the models' package) and its Japanese model.
command -v tesseract >/dev/null 2>&1 || packages+=(tesseract-ocr)
dpkg -s tesseract-ocr-jpn >/dev/null 2>&1 || packages+=(tesseract-ocr-jpn)
libarchive=""
if ! ldconfig -p 2>/dev/null | grep -q 'libarchive\.so\.13'; then
  libarchive=yes  # libarchive-c's library (7z, RAR, LZH): libarchive13, named libarchive13t64 since Debian 13
fi
if [ "$mode" = "--browser" ]; then
  # The test that renders the HTML incident report, and Japanese glyphs for its screenshot and for the pictures
  # the OCR tests draw.
  command -v chromium >/dev/null 2>&1 || packages+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || packages+=(fonts-noto-cjk)
  # The test that runs Apache on loopback to see a quarantined file's URL answer 410 Gone: the server and its
  # modules alone (apache2-bin starts no service).
  dpkg -s apache2-bin >/dev/null 2>&1 || packages+=(apache2-bin)
fi
if [ ${#packages[@]} -gt 0 ] || [ -n "$libarchive" ]; then
  as_root apt-get update -qq
  if [ -n "$libarchive" ]; then
    if apt-cache show libarchive13t64 >/dev/null 2>&1; then packages+=(libarchive13t64); else packages+=(libarchive13); fi
  fi
  echo "setup: installing Debian packages: ${packages[*]}" >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi


if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# Until 0.1.0 the distribution was named "mynumber", the name of an unrelated project on PyPI: an old install goes.
if .venv/bin/python -m pip show -q mynumber >/dev/null 2>&1; then
  .venv/bin/python -m pip uninstall -q -y mynumber
fi
extras="[test,heif,dask]"  # dask: the tests of scan --dask run a LocalCluster
if [ "$mode" = "--runtime" ]; then extras=""; fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
echo "setup: ready (.venv/bin/mynumber)" >&2
