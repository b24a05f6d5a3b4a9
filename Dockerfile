# The matchmaker app image: front-end packages from npm, the package built in a throwaway
# stage, and a slim runtime that runs as a non-root user with no compilers in it.

FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY matchmaker ./matchmaker
COPY models ./models
COPY web ./web
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js ./web/static/vendor/htmx.min.js
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
# /data/exports exists in the image so that a volume mounted there (docker-compose.yml
# shares one between app replicas and workers) starts out owned by the app's user.
RUN useradd --create-home --uid 10001 matchmaker \
    && mkdir -p /data/exports && chown -R matchmaker /data
COPY --from=build /install /usr/local
COPY --chown=matchmaker fixtures/demo /app/fixtures/demo
WORKDIR /app
USER matchmaker
ENV MATCHMAKER_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["matchmaker", "serve", "--host", "0.0.0.0", "--port", "8000"]
