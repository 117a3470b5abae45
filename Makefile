# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: run chat test eval bench lint lock clean

# (Re)install when the venv is missing or the lock file or pyproject.toml changed since the
# last install: the pinned, hash-checked versions from the lock file (runtime and dev), then
# the project itself without dependencies. `pip check` fails when pyproject.toml asks for a
# package the lock file lacks: run `make lock` after changing the dependencies.
$(STAMP): $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

# Regenerate the lock file from pyproject.toml (needs PyPI): for every platform and Python
# 3.11+, with hashes. Run it after editing the dependencies; the next make installs it.
# Pins already in the lock are kept where they still fit; `make lock LOCK_ARGS=--upgrade`
# moves everything to the newest allowed versions (or `LOCK_ARGS='--upgrade-package NAME'`).
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || \
		$(PY) -m pip install --quiet "$$(grep -so '^uv==[^ ;]*' $(LOCK) || echo uv)"
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command 'make lock' --quiet $(LOCK_ARGS) \
		--output-file $(LOCK)

run: $(STAMP)
	@if [ -n "$$BOT_TOKEN" ] || grep -qs '^BOT_TOKEN=.\+' .env; then \
		$(PY) -m bot run; \
	else \
		echo "BOT_TOKEN is not set: opening the local chat. To connect Telegram, put BOT_TOKEN=<token from @BotFather> in .env and run make run again."; \
		$(PY) -m bot chat; \
	fi

chat: $(STAMP)
	$(PY) -m bot chat $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) -m tests.eval.run

lint: $(STAMP)
	$(PY) -m ruff check bot handlers
	$(PY) -m ruff format --check bot handlers
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
