# syntax=docker/dockerfile:1
# One image shape for every service: `docker build --build-arg SERVICE=catalog .` (catalog, search, feedback,
# gateway). The command is the service's own CLI: `serve` by default, `migrate`, `index`, ...
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /app
COPY requirements.txt .
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -r requirements.txt
COPY proto proto
RUN mkdir gen && /venv/bin/python -m grpc_tools.protoc -I proto --python_out=gen --grpc_python_out=gen \
    $(find proto -name '*.proto')

FROM ${PYTHON_IMAGE}
ARG SERVICE
RUN test -n "$SERVICE" && useradd --system --uid 10001 --no-create-home portal
# The gateway renders guide sheets as PDF: WeasyPrint needs pango, and the sheets need Chinese fonts to embed.
RUN if [ "$SERVICE" = gateway ]; then apt-get update && apt-get install -y --no-install-recommends \
        libpangoft2-1.0-0 fonts-noto-cjk && rm -rf /var/lib/apt/lists/*; fi
COPY --from=build /venv /venv
COPY --from=build /app/gen /app/gen
COPY libs /app/libs
COPY services /app/services
ENV PATH=/venv/bin:$PATH \
    PYTHONPATH=/app/gen:/app/libs:/app/services/catalog:/app/services/search:/app/services/feedback:/app/services/gateway \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SERVICE=${SERVICE}
USER 10001
WORKDIR /app
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"$SERVICE\" \"$@\"", "--"]
CMD ["serve"]
