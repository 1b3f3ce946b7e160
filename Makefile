# BCL: `make run` serves the demo, `make test` runs the whole suite. Both set up what is missing.
PORT ?= 5000
FLASK = .venv/bin/flask --app wsgi
export PYTHONUNBUFFERED = 1

.PHONY: run test bench lint setup setup-test db

run: setup db
	@$(FLASK) demo load --url http://127.0.0.1:$(PORT)
	@echo ""
	@echo "BCL: http://127.0.0.1:$(PORT)/   (Ctrl+C で停止。データベースは 'make db-stop' で停止)"
	@PORT=$(PORT) tools/serve.sh

test: setup-test
	.venv/bin/python -m pytest

bench: setup-test db
	.venv/bin/python -m bench.run

lint: setup-test
	.venv/bin/ruff check .

setup:
	@tools/setup.sh run

setup-test:
	@tools/setup.sh test

db:
	@$(FLASK) db start
	@$(FLASK) db upgrade

db-stop:
	@$(FLASK) db stop
