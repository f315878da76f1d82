# Two entry points: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cybercoop
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install demo test services chromium lint types format messages screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# The demo always uses SQLite and eager Celery, whatever DATABASE_URL/REDIS_URL the shell exports.
DEMO_PORT ?= 8000
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 REDIS_URL=

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py transparency_keygen --if-missing
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(DEMO_PORT)

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 1; done; echo "PostgreSQL or Redis did not start" >&2; exit 1

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The translation catalogues (locale/): collect the marked strings from the code and templates,
# then compile them. Translate the new empty msgstr in each django.po, then run it again. The
# compiled .mo files are committed; tests/cybercoop/test_translations.py fails on a gap.
LANGS := en_GB fr es ar
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=bench --ignore=tests --ignore=tools --ignore=static --ignore=media* --ignore=staticfiles --ignore=node_modules
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages $(foreach l,$(LANGS),-l $(l)) --no-location --no-obsolete -e html,txt,py $(MAKEMESSAGES_IGNORE)
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

# Screenshots of the main pages at 1366 and 390 px, in SHOTS_LANGUAGES (English, Arabic, French),
# for reviewers (not part of `make test`): a fresh demo on SQLite in .screenshots/, served on
# SHOTS_PORT while tools/screenshots.py takes them into screenshots/ (open screenshots/index.html).
SHOTS_PORT ?= 8066
SHOTS_LANGUAGES ?= en ar fr
SHOTS_TMP := $(CURDIR)/.screenshots
SHOTS_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(SHOTS_TMP)/db.sqlite3 REDIS_URL= MEDIA_ROOT=$(SHOTS_TMP)/media TRANSPARENCY_SIGNING_KEY_FILE=$(SHOTS_TMP)/log.key
screenshots: install chromium
	rm -rf $(SHOTS_TMP) && mkdir -p $(SHOTS_TMP)
	$(SHOTS_ENV) $(BIN)/python manage.py migrate --noinput >/dev/null
	$(SHOTS_ENV) $(BIN)/python manage.py transparency_keygen --if-missing >/dev/null
	$(SHOTS_ENV) $(BIN)/python manage.py seed_demo >/dev/null
	$(SHOTS_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(SHOTS_PORT) --noreload >$(SHOTS_TMP)/server.log 2>&1 & \
	  server=$$!; trap 'kill $$server' EXIT; \
	  for i in $$(seq 1 60); do curl -fs http://127.0.0.1:$(SHOTS_PORT)/healthz >/dev/null && break; sleep 1; done; \
	  $(BIN)/python tools/screenshots.py --base http://127.0.0.1:$(SHOTS_PORT) --out screenshots \
	    --languages "$(SHOTS_LANGUAGES)" \
	    --password "$$($(SHOTS_ENV) $(BIN)/python manage.py shell -v 0 -c 'from agencies.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)')" \
	    --totp-secret "$$($(SHOTS_ENV) $(BIN)/python manage.py shell -v 0 -c 'from agencies.demo import DEMO_TOTP_SECRET; print(DEMO_TOTP_SECRET)')"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy loads the settings through django-stubs; DEBUG=1 spares it a SECRET_KEY.
types: install
	DEBUG=1 $(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install lint types services chromium
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest --create-db -n auto --dist loadfile $(PYTEST_ARGS)
