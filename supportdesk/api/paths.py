"""Typed path parameters. Ids and numbers are bounded to what the database can hold, so
a forged huge number is a 422 instead of an integer overflow in the driver."""

from __future__ import annotations

from typing import Annotated

from ninja.params import functions

from supportdesk.api.schemas import MAX_ID

TicketNumber = Annotated[int, functions.Path(ge=1, le=MAX_ID, description="ticket number")]
ObjectId = Annotated[int, functions.Path(ge=1, le=MAX_ID, description="id")]
