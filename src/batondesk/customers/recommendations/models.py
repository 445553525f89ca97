"""Each account's collaborative-filtering model, fitted on its own customers' product holdings
(as the CRM sent them) and kept by the app that owns this object (engine/services.py).

A model is fitted on first use and again once it is `max_age` old, so holdings synced since
reach it within that time. A fit reads (and decrypts) every profile of the account: a few
milliseconds for the demo's 50 customers, seconds for 100,000. Until an account has
`min_customers` customers holding something from the catalogue there is no model, and the
rules alone recommend.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.customers.recommendations.catalogue import holdings_of
from batondesk.customers.recommendations.collaborative import HoldingsModel
from batondesk.store.models import CustomerProfile

log = logging.getLogger("batondesk.customers")

MAX_AGE_SECONDS = 30 * 60
MIN_CUSTOMERS = 20


@dataclass
class _Fitted:
    at: float
    model: HoldingsModel | None


class HoldingsModels:
    """Per account, the model of its customers' holdings (None: too few customers)."""

    def __init__(
        self, max_age_seconds: float = MAX_AGE_SECONDS, min_customers: int = MIN_CUSTOMERS
    ) -> None:
        self.max_age_seconds = max_age_seconds
        self.min_customers = min_customers
        self._fitted: dict[int, _Fitted] = {}
        self._lock = threading.Lock()

    def for_account(self, session: Session, account_id: int) -> HoldingsModel | None:
        """The account's model, fitted now if it has none or it is too old."""
        fitted = self._fitted.get(account_id)
        if fitted is not None and time.monotonic() - fitted.at < self.max_age_seconds:
            return fitted.model
        with self._lock:
            fitted = self._fitted.get(account_id)
            if fitted is None or time.monotonic() - fitted.at >= self.max_age_seconds:
                fitted = _Fitted(time.monotonic(), self._fit(session, account_id))
                self._fitted[account_id] = fitted
        return fitted.model

    def forget(self, account_id: int) -> None:
        """Fit the account's model again on its next use."""
        with self._lock:
            self._fitted.pop(account_id, None)

    def _fit(self, session: Session, account_id: int) -> HoldingsModel | None:
        profiles = session.scalars(
            select(CustomerProfile).where(CustomerProfile.account_id == account_id)
        )
        holdings = [held for p in profiles if (held := holdings_of(p.products))]
        if len(holdings) < self.min_customers:
            return None
        started = time.perf_counter()
        model = HoldingsModel().fit(holdings)
        log.info(
            "account %s: holdings model fitted on %d customers in %.3f s",
            account_id,
            len(holdings),
            time.perf_counter() - started,
        )
        return model
