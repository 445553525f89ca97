"""Collaborative filtering of product holdings: which offers customers who hold what this
customer holds tend to take, learned with the `implicit` library from many customers'
holdings (one row per customer, one column per offer).

Three of implicit's models can be fitted: item-item neighbours weighted by BM25 (`item_item`,
the default), alternating least squares (`als`) and Bayesian personalised ranking (`bpr`).
With a catalogue of eleven offers the item-item model ranked best on the development
population (docs/benchmarks.md, bench-recommendations): a factor model learns little that
the offers' co-holdings do not already say. A customer need not be among the rows a model was
fitted on: they are scored from their holdings alone.

The estimator follows scikit-learn's contract: `__init__` stores hyperparameters, `fit`
returns the model, learned attributes end in `_`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
from scipy.sparse import csr_matrix

from batondesk.customers.recommendations.catalogue import OFFER_IDS

Method = Literal["item_item", "als", "bpr"]
# Chosen on a development population (demo/product_history.py, seed 1), never the one the
# benchmark reports (seed 2).
DEFAULT_METHOD: Method = "item_item"
DEFAULT_BM25 = (1.2, 0.75)  # BM25's K1 and B
DEFAULT_FACTORS = {"als": 1, "bpr": 2}
DEFAULT_REGULARIZATION = {"als": 0.1, "bpr": 0.1}
DEFAULT_ITERATIONS = {"als": 20, "bpr": 300}


class HoldingsModel:
    """A collaborative-filtering model of who holds which offer. A held offer counts
    `alpha` in the matrix, every other 0."""

    def __init__(
        self,
        method: Method = DEFAULT_METHOD,
        factors: int | None = None,
        regularization: float | None = None,
        iterations: int | None = None,
        alpha: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.method = method
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.alpha = alpha
        self.random_state = random_state

    def _estimator(self) -> Any:
        if self.method == "item_item":
            from implicit.nearest_neighbours import BM25Recommender

            k1, b = DEFAULT_BM25
            return BM25Recommender(K=len(OFFER_IDS), K1=k1, B=b, num_threads=1)
        if self.method not in DEFAULT_FACTORS:
            raise ValueError(f"unknown method {self.method!r}; one of item_item, als, bpr")
        factors = self.factors if self.factors is not None else DEFAULT_FACTORS[self.method]
        regularization = (
            self.regularization
            if self.regularization is not None
            else DEFAULT_REGULARIZATION[self.method]
        )
        iterations = (
            self.iterations if self.iterations is not None else DEFAULT_ITERATIONS[self.method]
        )
        if self.method == "als":
            from implicit.als import AlternatingLeastSquares

            return AlternatingLeastSquares(
                factors=factors,
                regularization=regularization,
                iterations=iterations,
                random_state=self.random_state,
                num_threads=1,
            )
        else:
            from implicit.bpr import BayesianPersonalizedRanking

            return BayesianPersonalizedRanking(
                factors=factors,
                regularization=regularization,
                iterations=iterations,
                random_state=self.random_state,
                num_threads=1,
            )

    def fit(self, holdings: Sequence[Iterable[str]]) -> HoldingsModel:
        """Learn from each customer's held offers (ids outside the catalogue are ignored).
        Needs at least one customer."""
        from implicit.utils import ParameterWarning
        from threadpoolctl import threadpool_limits

        rows = [self._row(held) for held in holdings]
        if not rows:
            raise ValueError("fitting needs the holdings of at least one customer")
        matrix = csr_matrix(np.vstack(rows))
        # One thread: these fits take well under a second, and a web worker must not take
        # every core for one (implicit also warns when BLAS runs several).
        with threadpool_limits(1, "blas"), warnings.catch_warnings():
            # BM25 weighting hands implicit's own fit a COO matrix, and it says so.
            warnings.simplefilter("ignore", ParameterWarning)
            estimator = self._estimator()
            estimator.fit(matrix, show_progress=False)
        self.items_ = OFFER_IDS
        self.customers_ = matrix.shape[0]
        # How many customers hold each offer: what breaks ties, and all a customer who holds
        # nothing gets.
        self.popularity_ = dict(
            zip(OFFER_IDS, np.asarray((matrix > 0).sum(axis=0)).ravel().tolist(), strict=True)
        )
        self.estimator_ = estimator
        return self

    def _row(self, held: Iterable[str]) -> np.ndarray:
        row = np.zeros(len(OFFER_IDS), dtype=np.float32)
        for offer in held:
            if offer in OFFER_IDS:
                row[OFFER_IDS.index(offer)] = self.alpha
        return row

    def scores(self, held: Iterable[str], customer: int | None = None) -> dict[str, float]:
        """Each offer's score for a customer holding `held` (higher: likelier next). Offers
        held are scored too; callers leave them out. `customer`: their row in the fitted
        matrix, if they were fitted on (a factor model then uses their learned factors;
        `bpr` can score no one else)."""
        row = csr_matrix(self._row(held))
        if row.nnz == 0 and customer is None:
            return {offer: 0.0 for offer in self.items_}
        if customer is None:
            if self.method == "bpr":
                raise ValueError("a bpr model scores only the customers it was fitted on")
            extra = {"recalculate_user": True} if self.method == "als" else {}
            ids, values = self.estimator_.recommend(
                0, row, N=len(self.items_), filter_already_liked_items=False, **extra
            )
        else:
            ids, values = self.estimator_.recommend(
                customer, row, N=len(self.items_), filter_already_liked_items=False
            )
        found = {self.items_[int(i)]: float(v) for i, v in zip(ids, values, strict=True)}
        return {offer: found.get(offer, 0.0) for offer in self.items_}

    def because(self, held: Iterable[str], offer: str, limit: int = 2) -> list[str]:
        """The held offers that point most at `offer`, most first (item-item: the most
        similar; a factor model: the largest contributions to its score)."""
        held = [h for h in held if h in self.items_]
        if not held or offer not in self.items_:
            return []
        target = self.items_.index(offer)
        if self.method == "item_item":
            similarity = self.estimator_.similarity
            weights = {h: float(similarity[self.items_.index(h), target]) for h in held}
        elif self.method == "als":
            row = csr_matrix(self._row(held))
            _score, contributions, _ = self.estimator_.explain(0, row, target, N=limit)
            weights = {self.items_[int(i)]: float(v) for i, v in contributions}
        else:
            factors = self.estimator_.item_factors
            weights = {
                h: float(np.dot(factors[self.items_.index(h)], factors[target])) for h in held
            }
        ranked = sorted((h for h in weights if weights[h] > 0), key=lambda h: -weights[h])
        return ranked[:limit]
