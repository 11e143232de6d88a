# mynumber in a container: `docker build -t mynumber .` then `docker run --rm mynumber` scans the bundled sample
# share (synthetic numbers only) and prints the summary; `docker run --rm -v /srv/share:/data:ro mynumber scan /data`
# scans a folder of yours. Fingerprints use a key made in the container at its first scan unless MYNUMBER_KEY or
# --key-file names one (mount it: the same key is what lets two scans' people be compared).
# The Debian packages are scripts/setup.sh's (tests/test_dockerfile.py checks that they agree).
#
# Built with BuildKit (docker's builder since 23.0; `DOCKER_BUILDKIT=1 docker build` on 20.10), whose built-in
# Dockerfile frontend reads `RUN --mount`: no `# syntax=` line, which would fetch a frontend image at build time.
#
# Behind a TLS-intercepting proxy (pip fails with CERTIFICATE_VERIFY_FAILED), hand the build the CA bundle your
# hosts trust as the optional secret `ca`:
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t mynumber .
# A secret is mounted for one RUN of the build stage alone: it is in no layer, no build argument and no history,
# and the image keeps trusting Debian's CAs only. apt reads Debian's mirror over plain HTTP (signed by Debian's keys).

# Every Python package is fetched and built here, where a compiler and Python's headers are (the optional C
# speed-ups); the image installs the wheels from this stage without an index and keeps neither compiler nor wheels.
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv python3-dev gcc \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml hatch_build.py README.md LICENSE CHANGELOG.md ./
COPY detector detector
COPY rules rules
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && python3 -m venv /opt/build \
 && /opt/build/bin/pip wheel --no-cache-dir --wheel-dir /wheels .

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv libmagic1 \
    libarchive13 tesseract-ocr tesseract-ocr-jpn \
 && rm -rf /var/lib/apt/lists/*
# The build stage's wheels are mounted for this step, not copied: no layer of the image holds them.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python3 -m venv /opt/mynumber \
 && /opt/mynumber/bin/pip install --no-cache-dir --no-index --find-links /wheels mynumber-scan
COPY fixtures/share /opt/mynumber-demo/share
RUN useradd --create-home --uid 10001 mynumber
USER mynumber
ENV PATH=/opt/mynumber/bin:$PATH
ENTRYPOINT ["mynumber"]
CMD ["scan", "/opt/mynumber-demo/share"]
