"""ecs-endpoint-remediator's extension of moto: the AWS behaviour the product depends on.

Runs inside the moto server process (`python -m emulator`). Each extension module registers hooks
with `emulator.hooks` from its `install()`; `emulator.__main__` installs them in EXTENSIONS order.
"""
