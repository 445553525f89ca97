"""Is the answer gate or its evidence the limit? Richer policy models over the same evidence.

Gathers the answer policy's evidence as `baton answers fit` does (out-of-fold predictions of
the demo's training data, the development question sets, the unanswerable questions) and, as
extra sources never fitted on, the spent held-out customer sets (customer_holdout*.jsonl up to
the sixth; the seventh is not read). Then fits several models per language group on the same
30% of the other messages, certifies each at a 1% wrong-answer limit on the other 70% (the
shipped risk control), and reports what each answers on the held-out sets. It also scores the
sets with the shipped policy: accuracy by score band against the training messages, and the
most a threshold chosen on the sets themselves (with hindsight) could answer.

Needs the demo's intent model (`baton demo --no-serve` in BATON_DATA_DIR). The evidence takes
some 40 minutes on 2 cores and is kept in BATON_DATA_DIR/cache/policy_evidence.pkl.

With `--fine-tune` it instead compares the demo's model with one trained on the same data with
the encoder fine-tuned (the `accurate` profile, about 30 minutes on 2 cores): how often each
one's first intent names an article that answers the held-out sets' answerable questions, and
how many of them it is sure of.

    BATON_DATA_DIR=var/demo HF_HUB_OFFLINE=1 python benchmarks/policy_models.py [--fine-tune]
"""

from __future__ import annotations

import pickle  # nosec B403: our own cache file, written by this script
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from batondesk.config import get_settings  # noqa: E402
from batondesk.engine.answer_policy import LANGUAGE_GROUPS, AnswerPolicy, PolicyModel  # noqa: E402
from batondesk.engine.candidates import INTENT_FEATURES, RETRIEVAL_FEATURES  # noqa: E402
from batondesk.training.answer_policy import QUESTION_WEIGHT, best_candidates  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
DEVELOPMENT_SETS = ("kb_dev", "customer_dev")
HELD_OUT_SETS = tuple(f"customer_holdout{s}" for s in ("", "_2", "_3", "_4", "_5", "_6"))
OFFER_ARTICLE = "products-and-services"
FEATURES = INTENT_FEATURES + RETRIEVAL_FEATURES
LIMIT = 0.01
Scorer = Callable[[np.ndarray], np.ndarray]


def gather() -> tuple[list[Any], list[Any]]:
    from batondesk.demo.content import KB_DIR
    from batondesk.demo.training_data import demo_intent_training, unanswerable_questions
    from batondesk.engine.intent_models import IntentModels
    from batondesk.evaluation.workspace import folder_articles
    from batondesk.knowledge.embedding import default_embedder
    from batondesk.knowledge.retrieval import HybridIndex
    from batondesk.training import answer_policy as fitting

    settings = get_settings()
    cache = settings.data_dir / "cache" / "policy_evidence.pkl"
    if cache.is_file():
        with cache.open("rb") as file:
            return pickle.load(file)  # type: ignore[no-any-return]  # nosec B301: our own file
    deployed = IntentModels(settings.models_dir).default()
    if deployed is None:
        sys.exit("no demo intent model here: run `baton demo --no-serve` with this data dir")
    dataset = demo_intent_training()
    articles, _problems = folder_articles(KB_DIR)

    def report(step: str, done: float) -> None:
        print(f"{step} {done:.0%}", flush=True)

    predictions = fitting.cached_out_of_fold_predictions(
        settings.data_dir / "cache",
        dataset,
        progress=report,
    )
    messages = fitting.dataset_messages(
        dataset.texts, dataset.labels, predictions, articles, "dataset"
    )
    for name in DEVELOPMENT_SETS + HELD_OUT_SETS:
        messages += fitting.question_messages(DATA / f"{name}.jsonl", deployed, name, articles)
    messages += fitting.written_messages(
        unanswerable_questions("no_article", "chitchat"), deployed, "unanswerable", articles
    )
    evidence = fitting.gather_evidence(messages, HybridIndex(articles, default_embedder()), report)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as file:
        pickle.dump((messages, evidence), file)
    return messages, evidence


def logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> Scorer:
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
    model.fit(x, y, logisticregression__sample_weight=weights)
    return lambda z: model.predict_proba(z)[:, 1]


def logistic_pairs(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> Scorer:
    model = make_pipeline(
        StandardScaler(),
        PolynomialFeatures(2, include_bias=False),
        StandardScaler(),
        LogisticRegression(C=0.3, max_iter=5000),
    )
    model.fit(x, y, logisticregression__sample_weight=weights)
    return lambda z: model.predict_proba(z)[:, 1]


def boosting(trees: int) -> Callable[[np.ndarray, np.ndarray, np.ndarray], Scorer]:
    def fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> Scorer:
        model = HistGradientBoostingClassifier(
            max_iter=trees,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            random_state=0,
        ).fit(x, y, sample_weight=weights)
        return lambda z: model.predict_proba(z)[:, 1]

    return fit


def answerable(message: Any) -> bool:
    return bool(message.accepted) and OFFER_ARTICLE not in message.accepted


def compare_models(messages: list[Any], evidence: list[Any], seed: int = 0) -> None:
    kept = [i for i, m in enumerate(messages) if m.source not in HELD_OUT_SETS]
    fit_part, calibration_part = train_test_split(
        np.asarray(kept),
        test_size=0.7,
        stratify=[messages[i].source for i in kept],
        random_state=seed,
    )
    calibration = set(calibration_part.tolist())
    rows = [e for e in evidence if e.with_intents is not None]
    x = np.asarray([[e.with_intents[name] for name in FEATURES] for e in rows])
    y = np.asarray([e.correct for e in rows])
    weights = np.asarray([QUESTION_WEIGHT if e.source != "dataset" else 1.0 for e in rows])
    groups = np.asarray([e.group for e in rows])
    fitting = np.isin([e.message for e in rows], fit_part)
    print("| model | English coverage certified at 1% | held-out: answerable answered | wrong |")
    print("|---|---|---|---|")
    for name, make in (
        ("logistic regression", logistic),
        ("logistic regression, pairwise products", logistic_pairs),
        ("gradient boosting, 200 trees", boosting(200)),
        ("gradient boosting, 400 trees", boosting(400)),
    ):
        scores = np.zeros(len(rows))
        for group in LANGUAGE_GROUPS:
            inside = groups == group
            scorer = make(x[fitting & inside], y[fitting & inside], weights[fitting & inside])
            scores[inside] = scorer(x[inside])
        best = best_candidates(rows, scores)
        certified = sorted(m for m in best if m in calibration)
        zeros = np.zeros(len(FEATURES))
        model = PolicyModel(
            FEATURES,
            zeros,
            np.ones(len(FEATURES)),
            zeros,
            0.0,
            [best[m][0] for m in certified],
            [best[m][1] for m in certified],
            [best[m][2] for m in certified],
        )
        points = {g: model.operating_point(LIMIT, g) for g in LANGUAGE_GROUPS}
        held = [(i, m) for i, m in enumerate(messages) if m.source in HELD_OUT_SETS and i in best]
        answers = [(m, best[i]) for i, m in held if best[i][0] >= points[best[i][2]].threshold]
        wrong = sum(not right for _m, (_s, right, _g) in answers)
        questions = sum(answerable(m) for _i, m in held)
        answered = sum(answerable(m) for m, _b in answers)
        other = points["other_languages"].coverage
        print(
            f"| {name} | {points['english'].coverage:.1%} (other languages {other:.1%}) "
            f"| {answered} of {questions} ({answered / questions:.1%}) "
            f"| {wrong} of {len(answers)} |"
        )


def shipped_policy_on_held_out(messages: list[Any], evidence: list[Any]) -> None:
    policy = AnswerPolicy.load().with_intents
    scores = np.asarray([float(policy.score([e.with_intents], e.group)[0]) for e in evidence])
    best = best_candidates(evidence, scores)
    english = {i: b for i, b in best.items() if b[2] == "english"}
    for group in ("english", "other_languages"):
        held = [i for i in best if messages[i].source in HELD_OUT_SETS and best[i][2] == group]
        right = [best[i][1] for i in held if answerable(messages[i])]
        print(f"held-out, {group}: first candidate right for {np.mean(right):.1%} of {len(right)}")
    bands = [0.0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 1.01]
    counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros((len(bands) - 1, 2)))
    for i, (score, right, _group) in english.items():
        source = "held-out" if messages[i].source in HELD_OUT_SETS else messages[i].source
        band = int(np.searchsorted(bands, score, side="right")) - 1
        counts[source][band] += (1, right)
    print("English, share right by the shipped policy's score (band: messages, share right):")
    for source, table in counts.items():
        cells = (f"{bands[k]:.2f}: {int(n)} {r / max(n, 1):.2f}" for k, (n, r) in enumerate(table))
        print(f"  {source}: " + " | ".join(cells))
    ranked = sorted(
        (
            (s, r, answerable(messages[i]))
            for i, (s, r, _g) in english.items()
            if messages[i].source in HELD_OUT_SETS
        ),
        reverse=True,
    )
    total = sum(a for _s, _r, a in ranked)
    for limit in (0.01, 0.02):
        most = wrong = 0
        for taken, (_s, right, _a) in enumerate(ranked, start=1):
            wrong += not right
            if wrong <= limit * taken:
                most = max(most, sum(a for _s2, _r2, a in ranked[:taken]))
        print(f"hindsight threshold at {limit:.0%} wrong: {most / total:.1%} of {total} answered")


def compare_fine_tuned() -> None:
    from batondesk.demo.content import KB_DIR
    from batondesk.demo.training_data import demo_intent_training
    from batondesk.engine.intent_models import IntentModels
    from batondesk.evaluation.questions import load_questions
    from batondesk.evaluation.workspace import folder_articles
    from batondesk.nlu import IntentClassifier
    from batondesk.nlu.language import detect_language

    articles, _problems = folder_articles(KB_DIR)
    by_intent: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        for intent in article.intents:
            by_intent[intent].add(article.slug)
    rows = [
        question
        for name in HELD_OUT_SETS
        for question in load_questions(DATA / f"{name}.jsonl", articles)
        if question.article and question.article != OFFER_ARTICLE
    ]
    texts = [question.text for question in rows]
    english = np.asarray([detect_language(text).language == "en" for text in texts])

    def report(name: str, model: Any) -> None:
        right, sure = [], []
        for row, prediction in zip(rows, model.predict_batch(texts), strict=True):
            intent, probability = prediction.top[0]
            right.append(bool(by_intent[intent] & row.accepted))
            sure.append(probability)
        right_array, sure_array = np.asarray(right), np.asarray(sure)
        for group, members in (("English", english), ("other languages", ~english)):
            r, p = right_array[members], sure_array[members]
            print(
                f"{name}, {group} ({members.sum()}): first intent right {r.mean():.1%}; "
                f"probability >= 0.9 for {np.mean(p >= 0.9):.1%}, right {r[p >= 0.9].mean():.1%}; "
                f">= 0.7 for {np.mean(p >= 0.7):.1%}, right {r[p >= 0.7].mean():.1%}",
                flush=True,
            )

    deployed = IntentModels(get_settings().models_dir).default()
    if deployed is None:
        sys.exit("no demo intent model here: run `baton demo --no-serve` with this data dir")
    report("demo model (fast)", deployed)
    data = demo_intent_training()
    started = time.perf_counter()
    fine_tuned = IntentClassifier(profile="accurate", threads=2).fit(data.texts, data.labels)
    print(f"fine-tuned in {time.perf_counter() - started:.0f} s", flush=True)
    report("fine-tuned (accurate)", fine_tuned)


def main() -> None:
    if "--fine-tune" in sys.argv[1:]:
        compare_fine_tuned()
        return
    messages, evidence = gather()
    shipped_policy_on_held_out(messages, evidence)
    compare_models(messages, evidence)


if __name__ == "__main__":
    main()
