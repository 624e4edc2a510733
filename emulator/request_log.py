"""Records every AWS request the emulator answers, for the fidelity guard (`emulator/fidelity.py`).

When `EMULATOR_RECORD_DIR` is set, each answered AWS request becomes one JSON line in
`<dir>/requests-<pid>.jsonl` (one file per server process, appended under a lock, so the threaded
server's requests never interleave): the service's signing name, the Region, the action, the wire
protocol, the request's members as sent (the query protocol's flat form fields for EC2, the JSON
body for ECS, SSM and the other JSON-protocol services), and the reply's status; the reply's body
too when it is a 2xx (parsed JSON for JSON protocols, the XML text for EC2's query protocol). A REST
request (Route 53's rest-xml, Security Hub's rest-json) is recorded with its method, path, query
parameters, the headers a model member may bind (`x-amz-*` but the signature's, and `content-type`)
and its body text, and a 2xx reply with its body text.

It records from a response observer rather than a request filter: an earlier extension's filter may
answer a request itself (throttling, validation) and then no later filter sees it, while every
answered request reaches the observers.

A request carrying the header `x-emulator-deliberate: <reason>` is one a test sends invalid on
purpose (bad-input and fault tests): it is recorded with that reason and the guard counts it apart.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, TextIO
from urllib.parse import parse_qs

from . import hooks
from .fidelity import rest_operation_name
from .hooks import Reply, RequestInfo

RECORD_DIR_ENV = "EMULATOR_RECORD_DIR"
DELIBERATE_HEADER = "x-emulator-deliberate"
# Headers of the signature and the SDK's own, never a model member.
UNBOUND_HEADERS = ("x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-user-agent")

_lock = threading.Lock()
_file: TextIO | None = None


def protocol_of(info: RequestInfo) -> str:
    """The wire protocol as the request shows it: json (X-Amz-Target), query (form), cbor or rest."""
    content_type = info.headers.get("content-type", "")
    if "cbor" in content_type or info.headers.get("smithy-protocol", "") == "rpc-v2-cbor":
        return "rpc-v2-cbor"
    if info.headers.get("x-amz-target"):
        return "json"
    if "x-www-form-urlencoded" in content_type and info.action:
        return "query"
    return "rest"


def _header(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""


def _response_body(protocol: str, reply: Reply) -> dict[str, Any]:
    if not 200 <= reply.status < 300:
        return {}
    text = reply.body.decode("utf-8", "replace")
    if protocol == "json":
        try:
            return {"body": json.loads(text) if text.strip() else {}}
        except ValueError:
            return {"bodyText": text}
    if protocol == "query":
        return {"xml": text}
    if protocol == "rest":
        return {"bodyText": text, "headers": {key.lower(): value for key, value in reply.headers}}
    return {}


def record(info: RequestInfo, reply: Reply, from_filter: bool) -> dict[str, Any]:
    protocol = protocol_of(info)
    entry: dict[str, Any] = {
        "service": info.service,
        "region": info.region,
        "action": info.action,
        "protocol": protocol,
        "target": info.headers.get("x-amz-target", ""),
        "host": info.headers.get("host", ""),
        "method": info.method,
        "path": info.path,
    }
    if protocol == "query":
        # parse_qs gives lists; the query protocol sends each key once.
        entry["params"] = {key: values[0] if len(values) == 1 else values for key, values in info.params.items()}
    elif protocol == "json":
        entry["body"] = info.json_body
    elif protocol == "rest":
        entry["query"] = parse_qs(info.query_string, keep_blank_values=True)
        # REST requests name no action on the wire: the operation from the model's HTTP bindings.
        entry["action"] = rest_operation_name(info.service, info.method, info.path, entry["query"])
        entry["headers"] = {
            key: value
            for key, value in info.headers.items()
            if (key.startswith("x-amz-") and key not in UNBOUND_HEADERS) or key == "content-type"
        }
        entry["bodyText"] = info.raw_body.decode("utf-8", "replace")
    deliberate = info.headers.get(DELIBERATE_HEADER)
    if deliberate is not None:
        entry["deliberate"] = deliberate or "unspecified"
    entry["response"] = {
        "status": reply.status,
        "answeredBy": "filter" if from_filter else "moto",
        "contentType": _header(reply.headers, "content-type"),
        **_response_body(protocol, reply),
    }
    return entry


def _observer(info: RequestInfo, reply: Reply, from_filter: bool) -> None:
    line = json.dumps(record(info, reply, from_filter), separators=(",", ":"), default=str)
    with _lock:
        if _file is not None:
            _file.write(line + "\n")
            _file.flush()


def install() -> None:
    global _file
    directory = os.environ.get(RECORD_DIR_ENV, "").strip()
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    _file = open(os.path.join(directory, f"requests-{os.getpid()}.jsonl"), "a", encoding="utf-8")
    hooks.register_response_observer(_observer)
