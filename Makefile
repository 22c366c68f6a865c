# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= demo.db

.PHONY: demo test install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[embed,serve]'

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

demo: install
	rm -f $(DB) $(DB)-wal $(DB)-shm
	$(BIN)/veille --db $(DB) ingest examples/
	$(BIN)/veille --db $(DB) search "coût d'un data center de 1 GW" -k 3
	$(BIN)/veille --db $(DB) search "nucléaire" --kind transcript -k 2
	$(BIN)/veille --db $(DB) search "combien de temps faut-il attendre pour brancher un centre de calcul" -k 2
	$(BIN)/veille --db $(DB) ask "Combien de temps faut-il pour raccorder un data center au réseau ?"
	$(BIN)/veille --db $(DB) figures "coût d'un data center de 1 GW" --unit money -k 2
	$(BIN)/veille --db $(DB) chunks examples/emission_tech.txt --limit 1
	@echo
	@echo "To open it in a browser: $(BIN)/veille --db $(DB) serve --open   (then http://127.0.0.1:8765/)"

test: install-test
	$(BIN)/python -m pytest

bench: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench,embed]'
	$(BIN)/python bench/ingest_speed.py
	$(BIN)/python bench/chat_parse.py
	$(BIN)/python bench/search_latency.py
	$(BIN)/python bench/embed_speed.py
	$(BIN)/python bench/retrieval_eval.py
	$(BIN)/python bench/figures_speed.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm
