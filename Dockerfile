# syntax=docker/dockerfile:1
# Image of the log-analyzer API. Build it for the cluster's nodes with `just build`
# (docker buildx build --platform linux/amd64 ...).

# uv is copied from its own image at a pinned release, never `latest`, so a rebuild resolves
# and installs exactly as the last one did.
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9
ARG PYTHON_IMAGE=python:3.12-slim

FROM ${UV_IMAGE} AS uv

# ---- builder: resolves nothing, installs what uv.lock says into /app/.venv ----
FROM ${PYTHON_IMAGE} AS builder
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# Dependencies first, in a layer of their own: it is rebuilt only when the lock changes,
# not on every edit of the source.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-install-project --no-dev

# Then the project itself, installed as a regular (non-editable) package so the runtime
# stage needs the virtual environment only, not the source tree.
COPY README.md ./
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# ---- runtime: the same Python, the virtual environment, an unprivileged user ----
FROM ${PYTHON_IMAGE} AS runtime
# glibc raises its mmap threshold each time a large block is freed, so the store answers of a
# burst (megabytes each) end up in the heap and stay there. A fixed threshold keeps them in
# mmap, returned on free; two arenas keep the executor's threads from holding heaps of their own.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_ARENA_MAX=2 \
    PATH="/app/.venv/bin:${PATH}"
# The UID is numeric so that Kubernetes can enforce `runAsNonRoot` (it cannot resolve names);
# k8s/02-deployment.yaml runs the pod with the same UID and GID.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app
# Owned by root and only readable by the app user: the code cannot rewrite itself.
COPY --from=builder /app/.venv /app/.venv
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# On SIGTERM uvicorn stops accepting connections and waits for streams in flight; after
# 100 s it cancels the rest, which still fits inside the pod's 120 s termination grace period.
CMD ["uvicorn", "log_analyzer.main:app", "--host", "0.0.0.0", "--port", "8000", "--timeout-graceful-shutdown", "100"]
