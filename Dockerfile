# mynumber in a container: `docker build -t mynumber .` then `docker run --rm mynumber` scans the bundled sample
# share (synthetic numbers only) and prints the summary; `docker run --rm -v /srv/share:/data:ro mynumber scan /data`
# scans a folder of yours. Fingerprints use a key made in the container at its first scan unless MYNUMBER_KEY or
# --key-file names one (mount it: the same key is what lets two scans' people be compared).
# The Debian packages are scripts/setup.sh's (tests/test_dockerfile.py checks that they agree).

# The wheel is built where a compiler and Python's headers are (the optional C speed-ups); the image keeps neither.
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv python3-dev gcc \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml hatch_build.py README.md LICENSE CHANGELOG.md ./
COPY detector detector
COPY rules rules
RUN python3 -m venv /opt/build \
 && /opt/build/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv libmagic1 \
    libarchive13 tesseract-ocr tesseract-ocr-jpn \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN python3 -m venv /opt/mynumber && /opt/mynumber/bin/pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY fixtures/share /opt/mynumber-demo/share
RUN useradd --create-home --uid 10001 mynumber
USER mynumber
ENV PATH=/opt/mynumber/bin:$PATH
ENTRYPOINT ["mynumber"]
CMD ["scan", "/opt/mynumber-demo/share"]
