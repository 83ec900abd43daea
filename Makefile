# make demo: set up and run the whole product with demo data on the embedded emulator.
# make test: install what the suite needs, then ruff and pytest.
# make bench: install the anchors (Orthanc, dcmtk, gcp-storage-emulator) and print the benchmark tables.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
DEMO_REDIS_PORT ?= 6379
export DEMO_REDIS_PORT
export REDIS_URL ?= redis://127.0.0.1:$(DEMO_REDIS_PORT)/0

.PHONY: demo test bench lint venv system-deps test-system-deps messages migrate clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

system-deps:
	scripts/apt-ensure.sh gettext:msgfmt

test-system-deps: system-deps
	scripts/apt-ensure.sh chromium:chromium docker-compose-:docker-compose

messages: venv system-deps
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

migrate: venv
	$(BIN)/python manage.py migrate --noinput --verbosity 0

demo: venv system-deps messages migrate
	$(BIN)/python manage.py demo_user
	$(BIN)/python manage.py emulator_seed
	@echo "Console: http://127.0.0.1:8000/  (Ctrl-C stops every process)"
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho -f Procfile start

lint: venv
	$(BIN)/ruff check .

test: venv test-system-deps messages lint
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

bench: venv messages
	scripts/apt-ensure.sh orthanc-:Orthanc dcmtk-:dcmj2pnm
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/storage.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/import_export.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/operations.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
