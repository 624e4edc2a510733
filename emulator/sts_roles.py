"""STS: AssumeRole of a role that does not exist is refused, as AWS refuses it.

moto 5.2.5 lets any `RoleArn` be assumed ("the role does not need to exist"). AWS answers a role
that does not exist in the target account's IAM like one whose trust policy does not let the caller
in: HTTP 403, query-protocol error `AccessDenied`, "User: <caller> is not authorized to perform:
sts:AssumeRole on resource: <RoleArn>" ("AssumeRole", AWS STS API reference, Errors; "Common
Errors"). Trust policies themselves are not evaluated here: an existing role can be assumed.

Control `/_emulator/iam-roles` (POST `{"accountId": "111111111111", "roleName": "name"}`): creates a
role in any account, as a member account's own stack would (tests and the demo cannot reach
another account's IAM before they can assume a role there).
"""

from __future__ import annotations

import re
import uuid
from xml.sax.saxutils import escape

from moto.iam.models import iam_backends

from . import hooks
from .hooks import ControlError, Reply, RequestInfo

ROLE_ARN = re.compile(r"^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]+$")


def _role_exists(partition: str, account_id: str, role_arn: str) -> bool:
    backend = iam_backends[account_id][partition]
    return any(role.arn == role_arn for role in backend.get_roles())


def _access_denied(message: str) -> Reply:
    request_id = str(uuid.uuid4())
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return Reply(403, body, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)])


def _filter(request: RequestInfo) -> Reply | None:
    if request.service != "sts" or request.action != "AssumeRole":
        return None
    role_arn = (request.params.get("RoleArn") or [""])[0]
    match = ROLE_ARN.match(role_arn)
    if match is None:
        return None  # a malformed ARN is moto's / the fidelity guard's to refuse
    partition, account_id = match.group(1), match.group(2)
    if _role_exists(partition, account_id, role_arn):
        return None
    return _access_denied(
        f"User: the caller ({request.access_key}) is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )


TRUST_ANYONE = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
)


def _control(method: str, body: object) -> object:
    if method != "POST" or not isinstance(body, dict):
        raise ControlError('POST {"accountId": "<12 digits>", "roleName": "<name>"}')
    account_id, role_name = body.get("accountId"), body.get("roleName")
    if not isinstance(account_id, str) or not re.fullmatch(r"\d{12}", account_id):
        raise ControlError("accountId must be 12 digits")
    if not isinstance(role_name, str) or not re.fullmatch(r"[\w+=,.@-]{1,64}", role_name):
        raise ControlError("roleName must be an IAM role name")
    partition = str(body.get("partition") or "aws")
    role = iam_backends[account_id][partition].create_role(role_name, TRUST_ANYONE, "/", None, "", [], None)
    return {"arn": role.arn}


def install() -> None:
    hooks.register_request_filter(_filter)
    hooks.register_control("iam-roles", _control)
