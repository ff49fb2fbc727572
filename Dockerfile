# irisd on CPU by default. GPU image (host needs the NVIDIA container toolkit):
#   docker build --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 -t irisd:cuda .
#   docker run --gpus all -p 8000:8000 -v irisd-data:/data irisd:cuda
FROM python:3.11-slim

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    IRISD_DATA_DIR=/data

RUN useradd --create-home --uid 1000 irisd \
    && mkdir /data && chown irisd:irisd /data

WORKDIR /app
RUN pip install --no-cache-dir --index-url "$TORCH_INDEX" "torch==${TORCH_VERSION}"
COPY pyproject.toml README.md ./
COPY irisd ./irisd
COPY models ./models
COPY static ./static
COPY irisd.toml ./
# Editable, so the package finds static/ and models/ beside it in /app.
RUN pip install --no-cache-dir -e .

USER irisd
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["irisd", "serve", "--config", "/app/irisd.toml"]
