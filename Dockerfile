# Baton's image: one image for every process of the deployment (docs/deploy.md):
#   baton serve --host 0.0.0.0 --workers N   the API (HTTP, widget, console)
#   baton worker                             the job worker and periodic scheduler
#   baton migrate                            the schema, once per release
# Slim, runs as a non-root user, CPU-only torch, and the default intent model is trained at
# build time so a container starts without training or downloading anything.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1
RUN python -m venv /opt/baton
# torch first, pinned as in the Makefile: an unpinned torch would pull a multi-GB GPU build.
RUN /opt/baton/bin/pip install torch==2.13.0
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/baton/bin/pip install .
# The default intent model, baked in. Dev secrets that Settings creates on the way are thrown
# away with the scratch data directory: the image holds no key.
RUN BATON_DATA_DIR=/tmp/baton-build BATON_NLU_MODEL_DIR=/opt/baton/models \
        /opt/baton/bin/baton nlu prepare \
    && rm -rf /tmp/baton-build

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/baton --create-home baton
COPY --from=build /opt/baton /opt/baton
ENV PATH=/opt/baton/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    BATON_ENVIRONMENT=production \
    BATON_DATA_DIR=/var/lib/baton \
    BATON_NLU_MODEL_DIR=/opt/baton/models \
    BATON_HOST=0.0.0.0 \
    BATON_PORT=8000
USER baton
WORKDIR /var/lib/baton
EXPOSE 8000
# Liveness only; orchestrators route traffic on /ready (models loaded, schema current).
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"
CMD ["baton", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
