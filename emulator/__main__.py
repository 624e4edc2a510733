"""`python -m emulator -H 127.0.0.1 -p PORT`: moto's server with the project's extensions.

The WSGI wrapper below runs, for every request: the control API (`/_emulator/...`), then the
extensions' ticks (time-dependent state), then their request filters (which may answer, e.g.
RequestLimitExceeded), then moto, then (when any are registered) the response observers with the
reply that was sent. `/moto-api/reset` also resets the extensions.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import signal
import sys
import traceback
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from . import clock, hooks
from .hooks import ControlError, Reply, RequestInfo
from .settings import SettingError

# Extension modules, installed in this order; each has `install() -> None`.
EXTENSIONS: list[str] = [
    "request_log",
    "ec2_settings",
    "ec2_endpoints",
    "ec2_endpoint_dns",
    "ec2_throttle",
    "ecs_agents",
    "ssm_run_command",
    "sts_roles",
    "organizations_accounts",
    "route53_zones",
    "securityhub_findings",
]


def install_extensions() -> None:
    for name in EXTENSIONS:
        importlib.import_module(f"emulator.{name}").install()


def _control_clock(method: str, body: Any) -> Any:
    if method == "GET":
        return clock.state()
    if not isinstance(body, dict):
        raise ControlError('POST /_emulator/clock takes {"freeze": true} | {"unfreeze": true} | {"advanceSeconds": N}')
    if body.get("freeze") is True:
        clock.freeze()
    elif body.get("unfreeze") is True:
        clock.unfreeze()
    elif "advanceSeconds" in body:
        seconds = body["advanceSeconds"]
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise ControlError("advanceSeconds must be a number >= 0")
        run_ticks()  # settle what the last requests changed at the time they happened, then move on
        clock.advance(float(seconds))
        run_ticks()
    else:
        raise ControlError('POST /_emulator/clock takes {"freeze": true} | {"unfreeze": true} | {"advanceSeconds": N}')
    return clock.state()


def _control_health(method: str, body: Any) -> Any:
    return {"ok": True, "extensions": EXTENSIONS, "controls": sorted(hooks.controls)}


def run_ticks() -> None:
    with hooks.TICK_LOCK:
        current = clock.now()
        for tick in hooks.ticks:
            tick(current)


def _credential_scope(authorization: str) -> tuple[str, str, str]:
    """(access key, region, service) from a SigV4 Authorization header, or blanks."""
    marker = "Credential="
    start = authorization.find(marker)
    if start < 0:
        return "", "", ""
    scope = authorization[start + len(marker) :].split(",", 1)[0].split("/")
    if len(scope) < 5:
        return "", "", ""
    return scope[0], scope[2], scope[3]


def request_info(environ: dict[str, Any]) -> RequestInfo:
    """Parses the request and puts the body back so moto can read it again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if "CONTENT_TYPE" in environ:
        headers["content-type"] = environ["CONTENT_TYPE"]
    access_key, region, service = _credential_scope(headers.get("authorization", ""))
    params: dict[str, list[str]] = {}
    json_body: Any = None
    action = ""
    target = headers.get("x-amz-target", "")
    if target:
        action = target.rsplit(".", 1)[-1]
        try:
            json_body = json.loads(raw or b"{}")
        except ValueError:
            json_body = None
    elif "x-www-form-urlencoded" in headers.get("content-type", ""):
        params = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        action = (params.get("Action") or [""])[0]
    return RequestInfo(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "/"),
        service=service,
        region=region,
        access_key=access_key,
        action=action,
        params=params,
        json_body=json_body,
        headers=headers,
        raw_body=raw,
        query_string=environ.get("QUERY_STRING", ""),
    )


def _respond(start_response: Any, reply: Reply) -> Iterable[bytes]:
    headers = list(reply.headers)
    headers.append(("Content-Length", str(len(reply.body))))
    start_response(f"{reply.status} {'OK' if reply.status < 400 else 'Error'}", headers)
    return [reply.body]


def _observe(info: RequestInfo, reply: Reply, from_filter: bool) -> None:
    for observer in hooks.response_observers:
        try:
            observer(info, reply, from_filter)
        except Exception:  # an observer only watches: never break the answer
            traceback.print_exc()


def _json_reply(status: int, value: Any) -> Reply:
    return Reply(status, json.dumps(value).encode(), [("Content-Type", "application/json")])


class ExtendedMoto:
    def __init__(self, moto_app: Any) -> None:
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path.startswith("/_emulator/"):
            return _respond(start_response, self.control(environ, path[len("/_emulator/") :].strip("/")))
        if path.startswith("/moto-api"):
            result = self.moto_app(environ, start_response)
            if path.rstrip("/") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
                clock.reset()
                for reset in hooks.resets:
                    reset()
            return result
        run_ticks()
        info = request_info(environ)
        for request_filter in hooks.request_filters:
            reply = request_filter(info)
            if reply is not None:
                _observe(info, reply, True)
                return _respond(start_response, reply)
        if not hooks.response_observers:
            return self.moto_app(environ, start_response)
        return self.observed_moto(info, environ, start_response)

    def observed_moto(self, info: RequestInfo, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Runs moto, buffering its body so the response observers see what was sent."""
        sent: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        try:
            result = self.moto_app(environ, capture)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:
            _observe(info, Reply(500, b""), False)  # the server answers 500 for what moto raised
            raise
        status = int(str(sent.get("status", "500")).split(" ", 1)[0])
        _observe(info, Reply(status, body, list(sent.get("headers", []))), False)
        return [body]

    def control(self, environ: dict[str, Any], name: str) -> Reply:
        handler = hooks.controls.get(name)
        if handler is None:
            return _json_reply(404, {"error": f"no control {name!r}; known: {sorted(hooks.controls)}"})
        method = environ.get("REQUEST_METHOD", "GET")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            return _json_reply(400, {"error": "the body is not JSON"})
        try:
            return _json_reply(200, handler(method, body))
        except ControlError as error:
            return _json_reply(400, {"error": str(error)})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    hooks.register_control("clock", _control_clock)
    hooks.register_control("health", _control_health)
    try:
        install_extensions()
    except SettingError as error:
        print(f"emulator: {error}", file=sys.stderr)
        sys.exit(2)

    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    moto_app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, ExtendedMoto(moto_app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
