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
	.venv/bin/lint-imports

test:
	.venv/bin/python -m pytest

bench:  # the list in bench/README.md
	.venv/bin/python -m bench.server.ws_latency
	.venv/bin/python -m bench.server.ws_fanout
	.venv/bin/python -m bench.server.ws_flood
	.venv/bin/python -m bench.server.ray_executor
	.venv/bin/python -m bench.server.throughput
	.venv/bin/python -m bench.server.warm_start
	.venv/bin/python -m bench.server.upload_memory
	.venv/bin/python -m bench.server.slow_uploads
	.venv/bin/python -m bench.server.slowloris
	.venv/bin/python -m bench.server.form_parts
	.venv/bin/python -m bench.server.console_page_weight
	.venv/bin/python -m bench.server.studio_jobs
	.venv/bin/python -m bench.pipeline.segmentation
	.venv/bin/python -m bench.pipeline.light_segmentation
	.venv/bin/python -m bench.pipeline.segmenter_scores
	.venv/bin/python -m bench.pipeline.synthetic_gap
	.venv/bin/python -m bench.pipeline.pupil_fit
	.venv/bin/python -m bench.pipeline.pipeline_speed
	.venv/bin/python -m bench.images.art
	.venv/bin/python -m bench.images.reflections
	.venv/bin/python -m bench.images.dim_colour
	.venv/bin/python -m bench.images.lid_fill
	.venv/bin/python -m bench.images.eye_frames
	.venv/bin/python -m bench.images.light_irises --save /tmp/irisd-light
	.venv/bin/python -m bench.images.sheets /tmp/irisd-sheets
	.venv/bin/python -m bench.images.colour_review sheets /tmp/irisd-review
	.venv/bin/python -m bench.images.styles --out /tmp/irisd-styles
	.venv/bin/python -m bench.images.fusion --out /tmp/irisd-fusion

fmt:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

serve:
	.venv/bin/irisd serve
