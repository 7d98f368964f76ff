"""Errors that services raise and the edges (views, API, commands) turn into answers."""


class DomainError(Exception):
    """The request is understood but not allowed by the rules (a 400 in the API)."""


class PermissionDenied(DomainError):
    """The actor's role does not allow this change (a 403 in the API)."""


class NotFound(Exception):
    """Missing or not visible to this user: the same answer for both (a 404)."""
