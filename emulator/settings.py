"""Environment switches of the emulator, parsed once at start; a bad value stops the start with a
clear message (documented in the README's emulator section)."""

from __future__ import annotations

import os


class SettingError(ValueError):
    pass


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r}: not a number") from None
    if value != value or value < minimum:
        raise SettingError(f"{name}={raw!r}: must be a number >= {minimum}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if raw not in choices:
        raise SettingError(f"{name}={raw!r}: must be one of {', '.join(choices)}")
    return raw
