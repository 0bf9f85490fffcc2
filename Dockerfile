# The guardrail proxy. Everything (Python packages, the spaCy model package,
# the redis-server binary of the embedded mode, any model files shipped as
# package data under guardrail/) is installed at build time; the running
# container downloads nothing.
#
# Stage 1 builds a virtual environment, with a C compiler for any package a
# platform has no wheel of. Stage 2 copies only that environment: no
# compiler, no wheel cache, no build layers in the image.
FROM python:3.11-slim AS build
# Python's headers come with the official image; a Debian-based stand-in needs
# python3-dev for them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && if ! python -c "import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))"; then \
      apt-get install -y --no-install-recommends python3-dev; fi \
 && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/guardrail
WORKDIR /src
COPY pyproject.toml README.md ./
COPY guardrail ./guardrail
# Not editable: the package, its data files and its dependencies are copied
# into the environment, so the source tree is not needed at run time.
RUN /opt/guardrail/bin/pip install ".[tracing]" \
 && /opt/guardrail/bin/python -c "import guardrail.cli"

FROM python:3.11-slim
ENV PATH=/opt/guardrail/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    GUARDRAIL_HOST=0.0.0.0 \
    GUARDRAIL_PORT=8080 \
    GUARDRAIL_POLICIES=/app/policies \
    GUARDRAIL_DATA_DIR=/data
RUN useradd --system --uid 10001 --home /app guardrail \
 && mkdir -p /data /app \
 && chown guardrail /data
COPY --from=build /opt/guardrail /opt/guardrail
WORKDIR /app
COPY policies ./policies
USER guardrail
VOLUME ["/data"]
EXPOSE 8080
# Shell form, so the check follows GUARDRAIL_PORT when a deployment changes it.
# Loading the analyzers takes 20-40 s on a busy machine: failures in the start
# period do not count, and the first success reports healthy.
HEALTHCHECK --interval=5s --timeout=3s --start-period=90s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${GUARDRAIL_PORT:-8080}/healthz', timeout=2)" || exit 1
CMD ["guardrail", "serve"]
