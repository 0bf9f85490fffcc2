# The two commands of the quick start: `make demo` and `make test`.
# Each creates the virtual environment on first use and installs the pinned
# dependencies into it; nothing is downloaded at run time.

PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo serve test lint browser docker-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	$(VENV)/bin/guardrail demo

serve: $(STAMP)
	$(VENV)/bin/guardrail serve

test: $(STAMP) browser
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# The review page is tested in a real headless Chromium (Debian's package;
# Playwright drives it and never downloads a browser of its own).
browser:
	@[ -n "$$GUARDRAIL_TEST_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "The review page tests need Chromium: install the 'chromium' package (or set GUARDRAIL_TEST_CHROMIUM)."; exit 1; \
	  fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check guardrail tests bench

# Builds the image and smoke-tests it (health check, non-root, --network=none):
# about 5 minutes from nothing, 2-3 with the base image cached, so it is not
# part of `make test`. Needs root (it installs docker.io if missing).
DOCKER_CHECK ?= ../shared/docker-check.sh
docker-check:
	@[ -f "$(DOCKER_CHECK)" ] || { echo "no $(DOCKER_CHECK): set DOCKER_CHECK=path/to/docker-check.sh"; exit 1; }
	bash $(DOCKER_CHECK)
