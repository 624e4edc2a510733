"""Runs an `aws:runShellScript` step on a fake host: the emulator's stand-in for the SSM Agent.

The script runs under /bin/sh in a fresh temporary directory with a PATH holding only the fakes in
`emulator/host-fakes/` (systemctl, docker, curl, ...; the same fakes test/document/ uses) and the
real `date`, `grep`, `sed` and `sleep`. Its exit code, standard output and standard error become the
invocation's, as the SSM Agent reports them ("Understanding command statuses", Systems Manager user
guide). This is a functional sandbox, not a security boundary: the emulator listens on loopback and
runs what its own tests and demo send.

Which host an EC2 instance is comes from its tag `emulator:host` (absent: `ecs-optimized`):
- `ecs-optimized`: Amazon Linux 2 ECS-optimized AMI: systemd unit `ecs.service` (ecs-init) and the
  `ecs-agent` container; `UpdateContainerAgent` works.
- `docker-agent`: the agent run by hand as a container on Ubuntu (no ecs-init): the restart works
  (`docker restart ecs-agent`), `UpdateContainerAgent` is refused.
- `no-agent`: neither: the restart script fails ("no ECS agent found").
- `restart-fails`: ECS-optimized, but `systemctl restart ecs` fails.
Windows instances (EC2 `platform: windows`) run the document's PowerShell step, which the emulator
does not execute: it reports what that step prints on success.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FAKES = Path(__file__).resolve().parent / "host-fakes"
REAL_TOOLS = ("date", "grep", "sed", "sleep")
HOST_TAG = "emulator:host"
HOST_KINDS = ("ecs-optimized", "docker-agent", "no-agent", "restart-fails")
SCRIPT_TIMEOUT_SECONDS = 30

AMAZON_LINUX_2 = 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\n'
UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n'


@dataclass(frozen=True)
class AgentFacts:
    """What the fake introspection API (localhost:51678/v1/metadata) reports after the restart."""

    version: str
    cluster: str
    container_instance_arn: str


@dataclass(frozen=True)
class StepResult:
    exit_code: int
    stdout: str
    stderr: str
    restarted: bool


def host_kind(tags: dict[str, str]) -> str:
    kind = tags.get(HOST_TAG, "ecs-optimized")
    return kind if kind in HOST_KINDS else "ecs-optimized"


def has_ecs_init(kind: str) -> bool:
    return kind in ("ecs-optimized", "restart-fails")


def _host_env(kind: str) -> tuple[str, dict[str, str]]:
    if kind == "docker-agent":
        return UBUNTU, {"FAKE_SYSTEMD_UNITS": "docker.service", "FAKE_DOCKER_CONTAINERS": "ecs-agent"}
    if kind == "no-agent":
        return UBUNTU, {"FAKE_SYSTEMD_UNITS": "docker.service", "FAKE_DOCKER_CONTAINERS": ""}
    env = {"FAKE_SYSTEMD_UNITS": "docker.service ecs.service", "FAKE_DOCKER_CONTAINERS": "ecs-agent"}
    if kind == "restart-fails":
        env["FAKE_RESTART_FAILS"] = "1"
    return AMAZON_LINUX_2, env


def run_shell_step(script: str, kind: str, agent: AgentFacts | None) -> StepResult:
    """Runs `script` (parameters already substituted) on a fake host of `kind`."""
    with tempfile.TemporaryDirectory(prefix="emulator-host-") as root:
        base = Path(root)
        bin_dir = base / "bin"
        state = base / "state"
        bin_dir.mkdir()
        state.mkdir()
        for tool in REAL_TOOLS:
            found = shutil.which(tool)
            if found:
                (bin_dir / tool).symlink_to(found)
        for fake in ("systemctl", "docker", "curl"):
            (bin_dir / fake).symlink_to(FAKES / fake)
        os_release_text, host_env = _host_env(kind)
        os_release = base / "os-release"
        os_release.write_text(os_release_text)
        script_path = base / "step.sh"
        script_path.write_text(script)
        log = base / "calls.log"
        log.write_text("")
        env = {
            "PATH": str(bin_dir),
            "HOME": str(base),
            "FAKE_LIB": str(FAKES / "fake-lib.sh"),
            "FAKE_LOG": str(log),
            "FAKE_STATE": str(state),
            "ECS_RESTART_POLL_SECONDS": "0",
            "ECS_RESTART_OS_RELEASE": str(os_release),
            "ECS_RESTART_UPSTART_CONF": str(base / "no-upstart.conf"),
            **host_env,
        }
        if agent is not None:
            env["FAKE_AGENT_VERSION"] = f"v{agent.version}"
            env["FAKE_AGENT_CLUSTER"] = agent.cluster
            env["FAKE_AGENT_INSTANCE_ARN"] = agent.container_instance_arn
        else:
            env["FAKE_AGENT_NEVER_ANSWERS"] = "1"
        try:
            done = subprocess.run(
                ["/bin/sh", str(script_path)],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                timeout=SCRIPT_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return StepResult(1, "", f"the step did not finish within {SCRIPT_TIMEOUT_SECONDS}s", False)
        restarted = (state / "agent-restarted").exists()
        return StepResult(done.returncode, done.stdout, done.stderr, restarted)


def windows_restart_output(reason: str, agent: AgentFacts | None) -> StepResult:
    """What the document's Windows step prints when Restart-Service AmazonECS succeeds."""
    if agent is None:
        return StepResult(1, "", "ecs agent restart failed: Restart-Service AmazonECS: service not found", False)
    lines = [
        f"restarting the ECS agent: {reason}",
        "restart method: windows (Restart-Service AmazonECS)",
        f"agent version: {agent.version}",
        f"cluster: {agent.cluster}",
        f"container instance: {agent.container_instance_arn}",
    ]
    return StepResult(0, os.linesep.join(lines) + os.linesep, "", True)
