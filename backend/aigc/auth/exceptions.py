"""Errors of sign-in that the web app tells apart by their code."""

from __future__ import annotations

from aigc.core.errors import PermissionDeniedError


class AccountDisabledError(PermissionDeniedError):
    """The password was right but an administrator disabled the account.

    Raised only after a correct password, so a stranger still cannot learn which usernames exist.
    """

    code = "account_disabled"

    def __init__(self) -> None:
        super().__init__("This account has been disabled; ask an administrator to enable it again")
