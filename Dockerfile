# syntax=docker/dockerfile:1
# standup-bot: a small image that installs exactly what uv.lock pins, and runs as a non-root user.
#   docker build -t standup-bot .
#   docker run --env-file .env -p 3000:3000 -v standup-data:/data standup-bot

ARG UV_VERSION=0.13.9

# uv itself, only to copy its binary into the build stage (COPY --from cannot take a build arg).
FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

# Both stages start from the same image: the virtualenv's python links to this interpreter path.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

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

# --- runtime: the interpreter, the virtualenv, nothing else --------------------------------------
FROM base AS runtime
# A shell, so `fly ssh console --user standup -C "standup-bot doctor"` can run as this user.
RUN groupadd --system --gid 10001 standup \
    && useradd --system --uid 10001 --gid standup --home-dir /app --shell /bin/sh standup \
    && mkdir -p /data \
    && chown standup:standup /data
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    STANDUP_DB=/data/standup.db \
    PORT=3000 \
    MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /data
# fly.io mounts the volume at /data owned by the image's USER, so the database stays writable.
USER standup
EXPOSE 3000
# No curl in slim images: ask /healthz with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
ENTRYPOINT ["standup-bot"]
CMD ["serve"]
