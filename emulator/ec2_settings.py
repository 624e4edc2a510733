"""EC2 behaviour switches: environment defaults, changed at run time through `/_emulator/ec2`.

- EMULATOR_ENDPOINT_PENDING_SECONDS (default 0): how long a new or modified interface endpoint stays
  `pending` (and a deleted one `deleting`) before `available` (`deleted`).
- EMULATOR_ENDPOINT_PENDING_JITTER_SECONDS (default 0): up to this many more seconds, at random.
- EMULATOR_THROTTLE (off | aws, default off): EC2's request token buckets.
- EMULATOR_THROTTLE_SPEED (default 1): refill multiplier (10 = ten times AWS's refill rates).

`GET /_emulator/ec2` shows the current values; `POST /_emulator/ec2` with any of
`{"endpointPendingSeconds", "endpointPendingJitterSeconds", "throttle", "throttleSpeed"}` changes
them; `/moto-api/reset` restores the environment's values.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, replace
from typing import Any

from . import hooks
from .hooks import ControlError
from .settings import SettingError, env_choice, env_float

THROTTLE_MODES = ("off", "aws")


@dataclass(frozen=True)
class Ec2Settings:
    endpointPendingSeconds: float = 0.0
    endpointPendingJitterSeconds: float = 0.0
    throttle: str = "off"
    throttleSpeed: float = 1.0


_lock = threading.Lock()
_defaults = Ec2Settings()
_current = Ec2Settings()
# Called with the new settings after every change (e.g. the throttle drops its buckets).
_listeners: list[Any] = []


def from_env() -> Ec2Settings:
    speed = env_float("EMULATOR_THROTTLE_SPEED", 1.0)
    if speed <= 0:
        raise SettingError("EMULATOR_THROTTLE_SPEED must be a number > 0")
    return Ec2Settings(
        endpointPendingSeconds=env_float("EMULATOR_ENDPOINT_PENDING_SECONDS", 0.0),
        endpointPendingJitterSeconds=env_float("EMULATOR_ENDPOINT_PENDING_JITTER_SECONDS", 0.0),
        throttle=env_choice("EMULATOR_THROTTLE", "off", THROTTLE_MODES),
        throttleSpeed=speed,
    )


def current() -> Ec2Settings:
    with _lock:
        return _current


def on_change(listener: Any) -> None:
    _listeners.append(listener)


def _set(settings: Ec2Settings) -> None:
    global _current
    with _lock:
        _current = settings
    for listener in _listeners:
        listener(settings)


def _number(body: dict[str, Any], name: str, positive: bool) -> float:
    value = body[name]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        raise ControlError(f"{name} must be a number")
    if positive and value <= 0:
        raise ControlError(f"{name} must be a number > 0")
    if value < 0:
        raise ControlError(f"{name} must be a number >= 0")
    return float(value)


def apply_changes(body: Any) -> Ec2Settings:
    """Validates a whole change before applying any of it."""
    if not isinstance(body, dict) or not body:
        raise ControlError(
            'POST /_emulator/ec2 takes a JSON object with any of "endpointPendingSeconds", '
            '"endpointPendingJitterSeconds", "throttle" ("off" | "aws"), "throttleSpeed"'
        )
    known = set(asdict(Ec2Settings()))
    unknown = sorted(set(body) - known)
    if unknown:
        raise ControlError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    changes: dict[str, Any] = {}
    for name in ("endpointPendingSeconds", "endpointPendingJitterSeconds"):
        if name in body:
            changes[name] = _number(body, name, positive=False)
    if "throttleSpeed" in body:
        changes["throttleSpeed"] = _number(body, "throttleSpeed", positive=True)
    if "throttle" in body:
        if body["throttle"] not in THROTTLE_MODES:
            raise ControlError(f"throttle must be one of {', '.join(THROTTLE_MODES)}")
        changes["throttle"] = body["throttle"]
    settings = replace(current(), **changes)
    _set(settings)
    return settings


def _control(method: str, body: Any) -> Any:
    if method == "GET":
        return asdict(current())
    if method != "POST":
        raise ControlError("use GET or POST")
    return asdict(apply_changes(body))


def _reset() -> None:
    _set(_defaults)


def install() -> None:
    global _defaults
    _defaults = from_env()
    _set(_defaults)
    hooks.register_control("ec2", _control)
    hooks.register_reset(_reset)
