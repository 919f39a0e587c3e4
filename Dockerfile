# syntax=docker/dockerfile:1
# standup-bot: installs exactly what uv.lock pins, and runs as a non-root user.
#   docker build -t standup-bot .
#   docker run --env-file .env -p 3000:3000 -v standup-data:/data standup-bot
#
# Size: the runtime virtualenv is 191 MB (about 235 MB as uv installs it; the cuts below take
# 44 MB), on top of python:3.11-slim; the whole image is about 340 MB. numpy (with its OpenBLAS)
# and matplotlib, which draw the charts, are most of the virtualenv; rapidfuzz (promise matching),
# holidays and rich (ci-report's progress bar, with pygments) add 33 MB. tests/test_ship.py
# replays the build stage and checks the 191 MB figure.
#
# Podman and Buildah: build with `--format docker` (`podman build --format docker -t standup-bot .`),
# or the image has no HEALTHCHECK: their default OCI format has no field for it.
#
# Behind a proxy that intercepts TLS, `uv sync` below fails on the proxy's certificate. Pass the
# proxy's CA certificate (PEM); the build and the bot both trust it:
#   docker build --build-arg EXTRA_CA_CERT="$(cat proxy-ca.pem)" -t standup-bot .

ARG UV_VERSION=0.13.9

# uv itself, only to copy its binary into the build stage (COPY --from cannot take a build arg).
FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

# Both stages start from the same image: the virtualenv's python links to this interpreter path.
FROM python:3.11-slim AS base
ARG EXTRA_CA_CERT=""
RUN if [ -n "$EXTRA_CA_CERT" ]; then \
        printf '%s\n' "$EXTRA_CA_CERT" > /usr/local/share/ca-certificates/extra-ca.crt \
        && update-ca-certificates; \
    fi
# The system's bundle (with the extra CA, if any) for uv, httpx and urllib alike.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

# --- build: resolve nothing, install the lock into /app/.venv -----------------------------------
FROM base AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Dependencies first, in their own layer: it is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
# Then the project, installed as a wheel (not editable) so /src is not needed at run time.
COPY README.md manifest.yaml ./
COPY bot ./bot
COPY handlers ./handlers
COPY digests ./digests
RUN uv sync --frozen --no-dev --no-editable
# What the bot never runs (44 MB): test suites, type stubs, numpy's f2py, matplotlib's sample
# data, fontTools' optional C accelerators (its pure-Python modules stay; matplotlib needs
# fontTools only for PDF/PS/SVG), and Pillow's AVIF and WebP codecs (the chart is a PNG).
RUN cd "$UV_PROJECT_ENVIRONMENT"/lib/python3.*/site-packages \
    && rm -rf numpy/f2py matplotlib/mpl-data/sample_data "$UV_PROJECT_ENVIRONMENT/bin/f2py" \
    && find . -depth -type d -name tests -exec rm -rf {} + \
    && find . -name '*.pyi' -delete \
    && find fontTools -name '*.so' -delete \
    && rm -f PIL/_avif.*.so PIL/_webp.*.so pillow.libs/libavif-* pillow.libs/libwebp*-* \
        pillow.libs/libsharpyuv-*

# --- runtime: the interpreter, the virtualenv, nothing else --------------------------------------
FROM base AS runtime
# A shell, so `fly ssh console --user standup -C "standup-bot doctor"` can run as this user. Its
# home is the working directory: `standup-bot demo` or `digest preview` write their files there,
# never into the data volume.
RUN groupadd --system --gid 10001 standup \
    && useradd --system --uid 10001 --gid standup --create-home --home-dir /home/standup \
        --shell /bin/sh standup \
    && mkdir -p /data \
    && chown standup:standup /data
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    STANDUP_DB=/data/standup.db \
    PORT=3000 \
    MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /home/standup
# fly.io mounts the volume at /data owned by the image's USER, so the database stays writable.
USER standup
EXPOSE 3000
# No curl in slim images: ask /healthz with the standard library. In Socket Mode /healthz is 503
# while the socket is not connected, so the container shows unhealthy while the bot hears nothing.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
ENTRYPOINT ["standup-bot"]
CMD ["serve"]
