"""Organizations: an account's description carries `State` only, as AWS's has since 9 September 2026.

moto 5.2.5 describes an account (DescribeAccount, ListAccounts, ListAccountsForParent) with both
`Status` and `State`. AWS retired the `Status` field on 9 September 2026 ("Account", AWS
Organizations API reference: "The Status parameter in the API response will be retired on
September 9, 2026 ... use the State parameter instead"). A client that still reads `Status` sees
nothing on AWS; here it sees nothing either.
"""

from __future__ import annotations

from typing import Any

from moto.organizations.models import FakeAccount

_moto_describe = FakeAccount.describe


def _describe(self: FakeAccount) -> dict[str, Any]:
    described = dict(_moto_describe(self))
    described.pop("Status", None)
    return described


def install() -> None:
    FakeAccount.describe = _describe  # type: ignore[method-assign]
