# syntax=docker/dockerfile:1
# One image shape for every service: `docker build --build-arg SERVICE=catalog -t portal-catalog .` (catalog,
# search, feedback, gateway). The command is the service's own CLI: `serve` by default, `migrate`, `index`, ...
#
# The base is pinned to a full patch tag of the Python the code targets (3.11, as pyproject's ruff target and the
# development machines). No registry is reachable from where this file was written, so no digest is given: pin
# one when you first build (`docker buildx imagetools inspect python:3.11.14-slim-bookworm`) by passing
# --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest>, or edit the default below.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Dependencies before code, so that a code change rebuilds neither layer. Only the runtime lock goes into the
# image; the stub generator is a build tool, in a venv of its own, pinned by the development lock.
COPY requirements.txt requirements-dev.txt ./
RUN python -m venv /venv && /venv/bin/pip install -r requirements.txt
# The constraint file pins grpcio-tools and protobuf exactly as `make proto` has them.
# hadolint ignore=DL3013
RUN python -m venv /tools && /tools/bin/pip install -c requirements-dev.txt grpcio-tools
COPY proto proto
# The stubs are generated here, never committed and never written at run time (the root filesystem is read-only).
RUN mkdir /gen && find proto -name '*.proto' -exec \
    /tools/bin/python -m grpc_tools.protoc -I proto --python_out=/gen --grpc_python_out=/gen {} +

FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="portal-${SERVICE}" \
      org.opencontainers.image.description="Public service portal: the ${SERVICE} service"
RUN case "$SERVICE" in catalog|search|feedback|gateway) ;; *) echo "--build-arg SERVICE=catalog|search|feedback|gateway" >&2; exit 1;; esac \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin portal
# The gateway renders guide sheets as PDF: WeasyPrint needs pango, and the sheets need Chinese fonts to embed.
# Debian's versions are not pinned: bookworm's security updates replace them, and a pin would break the build.
# hadolint ignore=DL3008
RUN if [ "$SERVICE" = gateway ]; then apt-get update && apt-get install -y --no-install-recommends \
        libpangoft2-1.0-0 fonts-noto-cjk && rm -rf /var/lib/apt/lists/*; fi
COPY --from=build /venv /venv
COPY --from=build /gen /app/gen
COPY libs /app/libs
# Each image carries its own service only: no service imports another's package.
COPY services/${SERVICE}/${SERVICE} /app/services/${SERVICE}/${SERVICE}
# Byte-code compiled now, since nothing may be written under /app at run time.
RUN python -m compileall -q /app
ENV PATH=/venv/bin:$PATH \
    PYTHONPATH=/app/gen:/app/libs:/app/services/${SERVICE} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SERVICE=${SERVICE} \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache
# Mount a tmpfs or emptyDir here: search keeps its dictionaries (~4 MB, built at first start) and fontconfig its
# cache there.
VOLUME ["/tmp"]
USER 10001:10001
WORKDIR /app
# The probe reads the service's own settings for its port: the gRPC health service, or the gateway's /healthz.
# Importing the settings costs ~0.5 s of CPU (more for search), hence the interval; compose names the target and
# checks more often. The search indexer (`index`) serves nothing: its container disables this check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "portal_common.healthcheck"]
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"$SERVICE\" \"$@\"", "--"]
CMD ["serve"]
