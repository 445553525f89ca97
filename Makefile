# Two commands for a newcomer: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo serve test lint fuzz audit catalogues fit-answer-policy fit-escalation-model bench-nlu bench-login bench-resolution bench-reports bench-label-noise bench-recommendations bench-loop bench-load bench-turn clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch is pinned to the CPU build; an unpinned torch would pull a multi-GB GPU build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Migrate, seed the Baton Bank demo, prepare the default models, serve on 127.0.0.1:8000.
demo: install
	$(BIN)/baton demo

serve: install
	$(BIN)/baton serve

## The whole test suite, in PYTEST_WORKERS processes (pytest-xdist; a test file runs whole in
## one of them, so a module's fixtures are built once; 0: one process, no xdist). pytest's "no
## tests collected" (exit 5) counts as a failure.
PYTEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: no tests were collected" >&2; exit 1; fi; exit $$rc

## Style, formatting and bandit's security lint of the code (findings are fixed or carry a
## narrow `# nosec` with the reason).
lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/bandit -q -r src -c pyproject.toml

## Schemathesis against a live server, as four kinds of caller (anonymous, visitor token,
## agent cookie, API key), on SQLite and on a private PostgreSQL database at 127.0.0.1:5432
## (BATON_FUZZ_DATABASE_URL); fails on any 5xx or response that breaks the OpenAPI document.
fuzz: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m tests.fuzz.schemathesis_run --database sqlite
	HF_HUB_OFFLINE=1 $(BIN)/python -m tests.fuzz.schemathesis_run --database postgresql

## Known vulnerabilities in the installed dependencies (needs the advisory service: run it on
## a networked host; not part of lint or CI).
audit: install
	$(BIN)/pip-audit --skip-editable

## Extract the widget's and the bot's fixed texts, merge them into each language's catalogue
## (src/batondesk/i18n/locales/<language>/LC_MESSAGES/*.po; new texts arrive untranslated) and
## compile the .mo files the product reads. Commit all three; tests/i18n checks they agree.
catalogues: install
	$(BIN)/baton i18n update

clean:
	rm -rf $(VENV) var .pytest_cache

## Refit the answer policy the demo ships (src/batondesk/engine/data/answer_policy.json) on
## out-of-fold predictions of the demo's training data and the development question sets; the
## demo model must be trained first (`make demo` or `baton demo --no-serve`). ~15 min.
fit-answer-policy: install
	HF_HUB_OFFLINE=1 $(BIN)/baton answers fit \
		--questions benchmarks/data/kb_dev.jsonl --questions benchmarks/data/customer_dev.jsonl

## Refit the learned escalation model the product ships (src/batondesk/handoff/data/escalation_model/)
## on the labelled conversation sets (never the escalation_test*.jsonl sets) and 1,000 everyday
## questions from the demo's intent data. ~1 min.
fit-escalation-model: install
	HF_HUB_OFFLINE=1 $(BIN)/baton escalation fit benchmarks/data/escalation_train.jsonl \
		benchmarks/data/escalation_train_2.jsonl benchmarks/data/escalation_train_3.jsonl \
		benchmarks/data/escalation_dev.jsonl benchmarks/data/escalation_validation.jsonl

## Concurrent failed logins against a live server (strong hashing): customer and agent
## latency during the flood, password checks made (benchmarks/results/login_flood_*.json).
bench-login: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/login_flood.py

## NLU benchmarks (BANKING77 full and 10-shot, CLINC150 with out-of-scope) on the datasets in
## BATON_DATASETS_DIR (default ../shared/data; see benchmarks/public_datasets.py):
## writes benchmarks/results/nlu_*.json and the bench-nlu section of docs/benchmarks.md (~21 min).
## Profile `accurate` (fine-tuned encoder); NLU_PROFILE=fast measures the demo's profile.
bench-nlu: install
	HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/nlu_bench.py all --profile $(or $(NLU_PROFILE),accurate)

## End to end through the widget's HTTP API: every BANKING77 test message as a new customer's
## first message, follow-ups to clarifications, latency, and benchmarks/data/customer_dev.jsonl.
## Writes benchmarks/results/resolution_*.json and the bench-resolution section of
## docs/benchmarks.md. Options go in ARGS, e.g. ARGS="--sample 300" for a quick run (results
## under var/bench-resolution/), ARGS="--holdout" to also score the held-out question set.
bench-resolution: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/resolution_bench.py $(ARGS)

## Report query times on PostgreSQL with 1,000,000 simulated conversations over 90 days (the
## server at 127.0.0.1:5432, its own database baton_bench_reports; BATON_BENCH_DATABASE_URL
## names another): loads in two processes (~40 min on 2 cores), counts the day tallies (~15 min),
## times every report and the Reports page, writes benchmarks/results/reports_*.json and
## docs/benchmarks.md. ARGS=--reuse keeps a database loaded by an earlier run (its day tallies
## are counted again).
bench-reports: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/reports_bench.py $(ARGS)

## Label noise: flip 5% of BANKING77 train labels (fixed seed), run `baton data audit` (recall and
## precision of its likely mislabels) and `baton data clean`, retrain on clean, noisy and cleaned
## train and compare test accuracy. Writes benchmarks/results/label_noise_banking77.json and the
## bench-label-noise section of docs/benchmarks.md (~15 min). Options go in ARGS, e.g.
## ARGS="--audit-model fast" for the demo's TF-IDF + MiniLM model in the audit.
bench-label-noise: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/label_noise_bench.py $(ARGS)

## The learning loop: train on 30% of BANKING77 train, replay the other 70% through the widget's
## HTTP API, a simulated reviewer labels up to 1,000 messages the review queue chooses (console
## API) in four rounds, each followed by `baton nlu retrain` + gate + promote; test accuracy
## before and after, the share of the gap to the full-train model closed, and the same number
## chosen at random. Writes benchmarks/results/loop_banking77.json and the bench-loop section
## of docs/benchmarks.md (three splits, ~25 min on 2 quiet cores, ~55 shared). Quick check:
## ARGS="--seeds 0 --sample 1000 --reviews 250 --rounds 2 --test-sample 770".
bench-loop: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/loop_bench.py $(ARGS)

## Recommendations: leave-last-out hit-rate@3 of the next offer 6,000 generated customers take
## (demo/product_history.py, seed 2) for popularity, implicit's ALS, BPR and item-item models,
## the explainable rules, and the rules with collaborative filtering as the product combines
## them. Writes benchmarks/results/recommendations.json and the bench-recommendations section
## of docs/benchmarks.md (~1 min). Options go in ARGS, e.g. ARGS="--customers 20000 --seed 3".
bench-recommendations: install
	$(BIN)/python benchmarks/recommendations_bench.py $(ARGS)

## Load: simulated customers (BANKING77 test messages, some asking for a person) and agents
## (taking over, replying) at 10, 50 and 200 concurrent chats against the embedded demo
## (SQLite, one worker) and against PostgreSQL + Redis with `baton serve --workers 2` and a
## job worker (its own database baton_bench_load at 127.0.0.1:5432,
## Redis database 5; BATON_BENCH_DATABASE_URL / BATON_BENCH_REDIS_URL name others), a 10-minute
## soak at 50 chats, a minute at 50 chats in which an API process and the job worker are
## killed with kill -9 (no acknowledged message and no job may be lost), and in the same run
## the ceilings: a bare ASGI echo app served the same ways and the NLU engine's batch
## throughput. Writes benchmarks/results/load_<date>.json and the bench-load section of
## docs/benchmarks.md (~35 min). Quick check (results under var/bench-load/):
## ARGS="--chats 10 --seconds 20 --soak-seconds 60 --kill-seconds 30".
bench-load: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/load_bench.py $(ARGS)

## Where a turn's time goes: the demo in-process on SQLite and on PostgreSQL + Redis, CPU and
## wall time per customer message, and py-spy's samples filed by phase (encoder, database,
## sealing, ...); writes the bench-turn section of docs/benchmarks.md (~10 min).
bench-turn: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/turn_profile.py $(ARGS)
