# irisd on CPU by default. GPU image (host needs the NVIDIA container toolkit):
#   docker build --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 -t irisd:cuda .
#   docker run --gpus all -p 8000:8000 -v irisd-data:/data irisd:cuda
# A Ray GPU worker node (README "Scaling out"): the CUDA image with the ray extra, running
# `ray start` instead of the server; its Python and irisd must match the API box's:
#   docker build --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 \
#     --build-arg EXTRAS='[ray]' -t irisd:ray-node .
#   docker run --gpus all --network host irisd:ray-node ray start --address=HEAD:6379 --block
FROM python:3.11-slim

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0
ARG EXTRAS=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    IRISD_DATA_DIR=/data

RUN useradd --create-home --uid 1000 irisd \
    && mkdir /data && chown irisd:irisd /data

RUN pip install --no-cache-dir --index-url "$TORCH_INDEX" "torch==${TORCH_VERSION}"
# A regular install (not editable): the wheel carries the web console and the segmenter's
# weights as package data, so the image keeps no source tree. These are the sources the
# wheel is built from (tests/packaging builds from the same COPY list).
COPY pyproject.toml README.md /tmp/irisd/
COPY irisd /tmp/irisd/irisd
COPY static /tmp/irisd/static
COPY models /tmp/irisd/models
RUN pip install --no-cache-dir "/tmp/irisd${EXTRAS}" && rm -rf /tmp/irisd

WORKDIR /app
COPY irisd.toml ./

USER irisd
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["irisd", "serve", "--config", "/app/irisd.toml"]
