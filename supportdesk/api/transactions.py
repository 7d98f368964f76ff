"""`atomic` for Ninja views.

`transaction.atomic` as a decorator hides a view's postponed annotations from Ninja (it
resolves them in the wrapper's module, Django's), and Ninja's `decorate_view` would wrap
the operation after its error handling, so a refused request would still commit. This
wraps the view itself, so an exception rolls everything back (a requester created for a
ticket that is then refused, say), and hands Ninja the resolved signature.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

F = TypeVar("F", bound=Callable[..., Any])


def atomic(view: F) -> F:
    signature = inspect.signature(view, eval_str=True)
    wrapped = transaction.atomic(view)
    wrapped.__signature__ = signature  # type: ignore[attr-defined]
    return wrapped  # type: ignore[no-any-return]
