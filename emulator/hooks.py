"""Registries the extension modules fill from their `install()`.

- ticks: called (under one lock) before every AWS request, with `clock.now()`, to move
  time-dependent state forward (pending -> available, Pending -> InProgress -> Success, ...).
- request filters: called before moto sees a request, with the parsed `RequestInfo`; a filter may
  answer the request itself by returning a `Reply` (throttling, validation moto lacks). The first
  reply wins.
- response observers: called after every AWS request has been answered (by a request filter or
  by moto), with the `RequestInfo`, the `Reply` sent and whether a request filter produced it.
  Observers only watch (recording, metrics); an observer's exception is printed, never sent.
- resets: called after moto's own `/moto-api/reset`.
- controls: routes under `/_emulator/<name>` for tests and the demo (JSON in, JSON out; a
  `ControlError` becomes HTTP 400 with its message).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TICK_LOCK = threading.RLock()


@dataclass
class RequestInfo:
    """What the emulator knows of one AWS request before moto handles it."""

    method: str
    path: str
    service: str  # signing name from the Authorization header: ec2, ecs, ssm, ...
    region: str
    access_key: str
    action: str  # EC2 query `Action`, or the operation of an `X-Amz-Target` JSON request
    params: dict[str, list[str]]  # query-protocol form fields (EC2), else {}
    json_body: Any  # JSON-protocol body (ECS, SSM), else None
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""
    query_string: str = ""  # the URL's query (REST protocols bind members to it)


@dataclass
class Reply:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


class ControlError(Exception):
    """A bad control call or setting: HTTP 400 with this message."""


Tick = Callable[[float], None]
RequestFilter = Callable[[RequestInfo], Reply | None]
ResponseObserver = Callable[[RequestInfo, Reply, bool], None]  # (request, reply, answered by a filter)
Reset = Callable[[], None]
Control = Callable[[str, Any], Any]  # (HTTP method, parsed JSON body or None) -> JSON-able

ticks: list[Tick] = []
request_filters: list[RequestFilter] = []
response_observers: list[ResponseObserver] = []
resets: list[Reset] = []
controls: dict[str, Control] = {}


def register_tick(fn: Tick) -> None:
    ticks.append(fn)


def register_request_filter(fn: RequestFilter) -> None:
    request_filters.append(fn)


def register_response_observer(fn: ResponseObserver) -> None:
    response_observers.append(fn)


def register_reset(fn: Reset) -> None:
    resets.append(fn)


def register_control(name: str, fn: Control) -> None:
    if name in controls:
        raise ValueError(f"control {name!r} registered twice")
    controls[name] = fn
