# The two commands: `make lab` (set up, open the course) and `make test` (set up, run every test).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

LINTED := course_lib tests tools bench notebooks solutions
ARGS   ?=

.PHONY: lab test check install strip navigation lessons book clean bench stall

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Bytecode for the package, ahead of time: a kernel started with PYTHONDONTWRITEBYTECODE (as on
# some CI machines) would otherwise compile course_lib again in every chapter.
install: $(STAMP)
	@$(BIN)/python -m compileall -q course_lib

lab: install
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT) notebooks/00-start-here.ipynb

test: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider \
		-n 2 --dist loadfile $(ARGS)

# The fast inner loop: lint (notebooks included) and the unit tests, no notebook runs.
check: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/python -m pytest tests -p no:cacheprovider -q --ignore=tests/browser \
		--ignore=tests/reliability --ignore=tests/test_exercises.py --ignore=tests/test_breaks.py \
		--ignore=tests/test_system_engines.py --ignore=tests/test_bench_smoke.py $(ARGS)

lessons: install
	$(BIN)/python tools/save_lessons.py

strip: install
	$(BIN)/python tools/strip_outputs.py

navigation: install
	$(BIN)/python tools/navigation.py

bench: install
	$(BIN)/python -m pytest bench -p no:cacheprovider -q -s $(ARGS)
	$(BIN)/python -m bench.results

stall: install
	$(BIN)/python tools/stall_run.py --runs 3 $(ARGS)

book: install
	$(BIN)/python tools/build_book.py
	@echo "the book: build/book/index.html"

clean:
	rm -rf $(VENV) build *.egg-info
