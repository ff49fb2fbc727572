# make = check + test. Plain make: nothing else to install.
.PHONY: all install check test bench fmt serve

all: check test

install:
	python3 -m venv .venv
	.venv/bin/pip install torch==2.13.0
	.venv/bin/pip install -e '.[test]'

check:
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .
	.venv/bin/mypy

test:
	.venv/bin/python -m pytest

bench:
	.venv/bin/python bench/ws_latency.py
	.venv/bin/python bench/ws_fanout.py
	.venv/bin/python bench/upload_memory.py
	.venv/bin/python bench/warm_start.py
	.venv/bin/python bench/ray_executor.py
	.venv/bin/python bench/throughput.py
	.venv/bin/python bench/segmentation.py
	.venv/bin/python bench/reflections.py
	.venv/bin/python bench/light_segmentation.py
	.venv/bin/python bench/art.py
	.venv/bin/python bench/dim_colour.py
	.venv/bin/python bench/pipeline_speed.py

fmt:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

serve:
	.venv/bin/irisd serve
