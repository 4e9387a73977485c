"""What can go wrong in casework, in words an integrity officer can act on."""

from __future__ import annotations


class CaseworkError(ValueError):
    """A casework step that cannot be taken as asked; the message says why and what to do."""


class UnknownDeclaration(CaseworkError):
    """No declaration has the reference given."""


class NotAuthorised(PermissionError):
    """The person asking is not allowed to take this step (they are told, and it is audited)."""
