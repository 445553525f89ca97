"""Routes whose unit of work ends in the endpoint's own thread.

A synchronous endpoint runs on one of the server's request threads; FastAPI then validates its
response and runs the session dependency's exit (the commit) each on a request thread again.
On SQLite, a request that has written holds the database's only write lock until that commit,
and every other writing request waits for the lock on a request thread: with as many writers
as threads (50 concurrent chats against 40 threads), the holder found no thread to commit on
and all of them timed out after 30 s (HTTP 500). Committing before the endpoint's thread is
released lets the lock go before anything else is waited for.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def run(**arguments: Any) -> Any:
        result = endpoint(**arguments)
        # The request's session (the same object every dependency got). Its dependency still
        # publishes the unit's notifications, and rolls back instead when the response fails.
        for value in arguments.values():
            if isinstance(value, Session) and value.in_transaction():
                value.commit()
        return result

    return run
