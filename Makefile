# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run chat test eval bench lint clean

# (Re)install when the venv is missing or pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	@if [ -n "$$BOT_TOKEN" ] || grep -qs '^BOT_TOKEN=.\+' .env; then \
		$(PY) -m bot run; \
	else \
		echo "BOT_TOKEN is not set: opening the local chat. To connect Telegram, put BOT_TOKEN=<token from @BotFather> in .env and run make run again."; \
		$(PY) -m bot chat; \
	fi

chat: $(STAMP)
	$(PY) -m bot chat

test: $(STAMP)
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) -m tests.eval.run

lint: $(STAMP)
	$(PY) -m ruff check bot handlers

bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache
