"""Error replies in the wire formats the SDKs parse: EC2's query-protocol XML and the JSON 1.1
protocol of ECS and SSM ("Error codes for the Amazon EC2 API"; "Common Errors" of each API)."""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from .hooks import Reply


def ec2_error(code: str, message: str, status: int = 400) -> Reply:
    request_id = str(uuid.uuid4())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
    ).encode()
    return Reply(status, body, [("Content-Type", "text/xml;charset=UTF-8"), ("x-amzn-RequestId", request_id)])


def json_error(code: str, message: str, status: int = 400) -> Reply:
    request_id = str(uuid.uuid4())
    body = json.dumps({"__type": code, "message": message}).encode()
    return Reply(
        status,
        body,
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", code),
        ],
    )
