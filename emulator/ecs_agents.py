"""ECS container agents: their version, their connection to ECS and `UpdateContainerAgent`.

- `RegisterContainerInstance` honours `versionInfo` and `attributes` ("RegisterContainerInstance",
  Amazon ECS API reference). Without `versionInfo` the instance has no version, as in ECS, and
  `UpdateContainerAgent` answers `MissingVersionException`.
- `agentConnected` is true only while the instance can reach ECS: an internet path, or the
  `ecs-agent`, `ecs-telemetry` and `ecs` interface endpoints available with private DNS in its AZ
  behind a group that allows 443 from it ("Amazon ECS interface VPC endpoints (AWS PrivateLink)",
  Amazon ECS developer guide; rules in `emulator.network_paths`). An agent that loses its path
  disconnects at once. One that is disconnected reconnects when its agent is restarted (the restart
  document ran on it) and the path exists, or on its own once the path has existed for
  `EMULATOR_AGENT_RECONNECT_SECONDS` (default 600: the agent caches its `DiscoverPollEndpoint`
  answer for about ten minutes).
- `UpdateContainerAgent` ("UpdateContainerAgent", Amazon ECS API reference; "Updating the Amazon ECS
  container agent", developer guide) refuses Windows container instances and the Amazon Linux 2
  arm64 AMI (`InvalidParameterException`), an instance without version information
  (`MissingVersionException`), an agent already at `EMULATOR_ECS_LATEST_AGENT_VERSION`
  (`NoUpdateAvailableException`) and one with an update in progress (`UpdateInProgressException`).
  Otherwise `agentUpdateStatus` moves PENDING -> STAGING -> STAGED -> UPDATING -> UPDATED, one stage
  per `EMULATOR_AGENT_UPDATE_STAGE_SECONDS` while the agent is connected (ECS hands the update to the
  agent over its connection), and the version becomes the latest. On a host without ecs-init (EC2 tag
  `emulator:host=docker-agent|no-agent`, see `emulator.host_sandbox`) the agent refuses the update
  (it updates only when ecs-init enables updates) and the status becomes FAILED.

- `ListContainerInstances` honours `filter` for the cluster query language terms the remediator sends
  (`ec2InstanceId in [...]`, `ec2InstanceId == ...`, `attribute:<name> == ...` / `in [...]`, joined by
  `and`; "Cluster query language", Amazon ECS developer guide); moto ignores the filter.

Control route `/_emulator/ecs-agent`: set an agent's version or force its connection for tests.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from . import clock, hooks, network_paths
from .hooks import ControlError
from .host_sandbox import AgentFacts, has_ecs_init, host_kind
from .settings import env_float

ECS_SERVICES = ("ecs-agent", "ecs-telemetry", "ecs")
UPDATE_STAGES = ("PENDING", "STAGING", "STAGED", "UPDATING", "UPDATED")
IN_PROGRESS = frozenset(UPDATE_STAGES[:-1])
CONNECTION_MODES = ("auto", "connected", "disconnected")
MIN_ENDPOINT_AGENT = (1, 25, 1)


@dataclass
class Settings:
    reconnect_seconds: float = 600.0
    update_stage_seconds: float = 1.0
    latest_version: str = "1.90.0"


SETTINGS = Settings()


@dataclass
class AgentState:
    account: str
    region: str
    cluster_name: str
    instance_id: str  # the container instance id (last part of its ARN)
    ec2_instance_id: str
    path_since: float | None = None
    restart_pending: bool = False
    forced: str = "auto"
    update_stage_since: float = 0.0
    update_will_fail: bool = False
    history: list[str] = field(default_factory=list)


_lock = threading.RLock()
_agents: dict[tuple[str, str, str], AgentState] = {}  # (account, region, container instance id)


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _backend(account: str, region: str) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account][region]


def _moto_instance(state: AgentState) -> Any | None:
    try:
        return _backend(state.account, state.region).container_instances[state.cluster_name][state.instance_id]
    except KeyError:
        return None


def _reaches_ecs(state: AgentState) -> bool:
    instance = network_paths.find_instance(state.account, state.region, state.ec2_instance_id)
    if instance is None or instance.state != "running":
        return False
    place = network_paths.place_of(state.account, state.region, instance)
    if place is None:
        return False
    if place.internet:
        return True
    # Agents older than 1.25.1 cannot use the ECS interface endpoints ("Amazon ECS interface VPC
    # endpoints (AWS PrivateLink)": the agent must be 1.25.1 or later).
    ci = _moto_instance(state)
    version = ((ci.version_info or {}).get("agentVersion") if ci is not None else None) or "0"
    if _version_tuple(version) < MIN_ENDPOINT_AGENT:
        return False
    return network_paths.has_path(state.account, state.region, place, ECS_SERVICES)


def _evaluate(state: AgentState, now: float) -> None:
    ci = _moto_instance(state)
    if ci is None or ci.status == "INACTIVE":
        return
    path = _reaches_ecs(state)
    if path:
        if state.path_since is None:
            state.path_since = now
    else:
        state.path_since = None
    if state.forced == "connected":
        ci.agent_connected = True
    elif state.forced == "disconnected":
        ci.agent_connected = False
    elif ci.agent_connected and not path:
        ci.agent_connected = False
        state.history.append(f"{now:.0f} disconnected: no path to ECS")
    elif not ci.agent_connected and path:
        waited = now - (state.path_since or now)
        if state.restart_pending or waited >= SETTINGS.reconnect_seconds:
            ci.agent_connected = True
            why = "agent restarted" if state.restart_pending else "reconnect interval passed"
            state.history.append(f"{now:.0f} connected: {why}")
    if ci.agent_connected:
        state.restart_pending = False
    _advance_update(state, ci, now)


def _advance_update(state: AgentState, ci: Any, now: float) -> None:
    status = getattr(ci, "agent_update_status", None)
    if status not in IN_PROGRESS or not ci.agent_connected:
        return
    while status in IN_PROGRESS and now - state.update_stage_since >= SETTINGS.update_stage_seconds:
        state.update_stage_since += SETTINGS.update_stage_seconds
        if state.update_will_fail:
            status = "FAILED"
            break
        status = UPDATE_STAGES[UPDATE_STAGES.index(status) + 1]
    ci.agent_update_status = status
    if status == "UPDATED":
        # The update ends with ecs-init restarting the agent on the new version.
        ci.version_info = {**(ci.version_info or {}), "agentVersion": SETTINGS.latest_version}
        state.restart_pending = True
        state.history.append(f"{now:.0f} agent updated to {SETTINGS.latest_version}")


def tick(now: float) -> None:
    with _lock:
        for state in list(_agents.values()):
            _evaluate(state, now)


def agent_facts(account: str, region: str, ec2_instance_id: str) -> AgentFacts | None:
    """The agent an EC2 instance runs (for the fake introspection API), or None when not registered."""
    with _lock:
        for state in _agents.values():
            if state.account == account and state.region == region and state.ec2_instance_id == ec2_instance_id:
                ci = _moto_instance(state)
                if ci is None or ci.status == "INACTIVE":
                    continue
                version = (ci.version_info or {}).get("agentVersion") or "0.0.0"
                return AgentFacts(version, state.cluster_name, ci.container_instance_arn)
    return None


def agent_restarted(account: str, region: str, ec2_instance_id: str) -> None:
    """The restart document restarted this instance's agent: it reconnects as soon as it has a path."""
    now = clock.now()
    with _lock:
        for state in _agents.values():
            if state.account == account and state.region == region and state.ec2_instance_id == ec2_instance_id:
                state.restart_pending = True
                state.history.append(f"{now:.0f} agent restarted")
                _evaluate(state, now)


# ----------------------------------------------------------------------------- moto extensions


def _register_container_instance(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cluster_str = self._get_param("cluster", "default")
    document = json.loads(self._get_param("instanceIdentityDocument"))
    ec2_instance_id = document["instanceId"]
    backend = self.ecs_backend
    ci = backend.register_container_instance(cluster_str, ec2_instance_id)
    version_info = self._get_param("versionInfo")
    ci.version_info = dict(version_info) if isinstance(version_info, dict) else {}
    for attribute in self._get_param("attributes") or []:
        if isinstance(attribute, dict) and attribute.get("name"):
            ci.attributes[attribute["name"]] = attribute.get("value")
    ci.agent_update_status = None
    state = AgentState(
        account=self.current_account,
        region=self.region,
        cluster_name=ci.cluster_name,
        instance_id=ci.container_instance_arn.split("/")[-1],
        ec2_instance_id=ec2_instance_id,
    )
    # The agent registers over its connection to ECS; a seeded registration has one only if the
    # network gives it one.
    ci.agent_connected = False
    with _lock:
        _agents[(state.account, state.region, state.instance_id)] = state
        now = clock.now()
        state.path_since = now if _reaches_ecs(state) else None
        ci.agent_connected = state.path_since is not None
    return ActionResult({"containerInstance": ci})


_QUERY_TERM = re.compile(
    r"^\s*(?P<subject>ec2InstanceId|attribute:[A-Za-z0-9_.\-]+)\s*"
    r"(?:(?P<eq>==)\s*(?P<value>[^\s\[\],]+)|(?P<in>in)\s*\[(?P<values>[^\]]*)\])\s*$"
)


def _query_matches(expression: str) -> Any:
    """A predicate over moto container instances for the subset of the cluster query language the
    remediator sends ("Cluster query language", Amazon ECS developer guide,
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html):
    `ec2InstanceId` or `attribute:<name>` compared with `==` or `in [...]`, terms joined by `and`.
    Anything else is refused (InvalidParameterException) rather than silently ignored, as moto does."""
    from moto.ecs.exceptions import InvalidParameterException

    checks = []
    for term in re.split(r"\s+and\s+", expression.strip()):
        match = _QUERY_TERM.match(term)
        if not match:
            raise InvalidParameterException(f"the emulator does not evaluate this cluster query: {expression!r}")
        subject = match.group("subject")
        if match.group("eq"):
            wanted = {match.group("value").strip("'\"")}
        else:
            wanted = {v.strip().strip("'\"") for v in match.group("values").split(",") if v.strip()}

        def check(ci: Any, subject: str = subject, wanted: set[str] = wanted) -> bool:
            if subject == "ec2InstanceId":
                return ci.ec2_instance_id in wanted
            return str((ci.attributes or {}).get(subject[len("attribute:") :])) in wanted

        checks.append(check)
    return lambda ci: all(check(ci) for check in checks)


def _list_container_instances(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cluster_str = self._get_param("cluster", "default")
    status = self._get_param("status")
    expression = self._get_param("filter")
    arns = self.ecs_backend.list_container_instances(cluster_str, status=status)
    if expression:
        matches = _query_matches(expression)
        cluster_name = cluster_str.split("/")[-1]
        by_arn = {
            ci.container_instance_arn: ci for ci in self.ecs_backend.container_instances.get(cluster_name, {}).values()
        }
        arns = [arn for arn in arns if arn in by_arn and matches(by_arn[arn])]
    return ActionResult({"containerInstanceArns": arns})


def _find_state(account: str, region: str, cluster_name: str, reference: str) -> AgentState | None:
    instance_id = reference.split("/")[-1]
    with _lock:
        state = _agents.get((account, region, instance_id))
    if state is None or state.cluster_name != cluster_name:
        return None
    return state


def _update_container_agent(self: Any) -> Any:
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult

    cluster_str = self._get_param("cluster", "default")
    reference = self._get_param("containerInstance")
    if not reference:
        raise JsonRESTError("InvalidParameterException", "containerInstance is required.")
    backend = self.ecs_backend
    cluster_name = cluster_str.split("/")[-1]
    if cluster_name not in backend.clusters:
        raise JsonRESTError("ClusterNotFoundException", "Cluster not found.")
    state = _find_state(self.current_account, self.region, cluster_name, reference)
    ci = _moto_instance(state) if state else None
    if state is None or ci is None or ci.status == "INACTIVE":
        raise JsonRESTError("InvalidParameterException", f"Container instance {reference} not found.")
    with _lock:
        attributes = ci.attributes or {}
        instance = network_paths.find_instance(state.account, state.region, state.ec2_instance_id)
        platform = (getattr(instance, "platform", None) or "").lower()
        if (attributes.get("ecs.os-type") or "").lower() == "windows" or platform == "windows":
            raise JsonRESTError(
                "InvalidParameterException",
                "Agent updates through UpdateContainerAgent are not supported for Windows container instances.",
            )
        if (attributes.get("ecs.cpu-architecture") or "").lower() == "arm64":
            raise JsonRESTError(
                "InvalidParameterException",
                "UpdateContainerAgent is not supported on the Amazon ECS-optimized Amazon Linux 2 (arm64) AMI; "
                "update the ecs-init package instead.",
            )
        version = (ci.version_info or {}).get("agentVersion")
        if not version:
            raise JsonRESTError(
                "MissingVersionException",
                "Amazon ECS can't determine the current version of the Amazon ECS container agent on the "
                "container instance and doesn't have enough information to proceed with an update.",
            )
        if getattr(ci, "agent_update_status", None) in IN_PROGRESS:
            raise JsonRESTError(
                "UpdateInProgressException",
                "There's already a current Amazon ECS container agent update in progress on the container instance.",
            )
        if _version_tuple(version) >= _version_tuple(SETTINGS.latest_version):
            raise JsonRESTError(
                "NoUpdateAvailableException",
                "There's no update available for this Amazon ECS container agent.",
            )
        tags = {tag["key"]: tag["value"] for tag in instance.get_tags()} if instance is not None else {}
        ci.agent_update_status = "PENDING"
        state.update_stage_since = clock.now()
        state.update_will_fail = not has_ecs_init(host_kind(tags))
    return ActionResult({"containerInstance": ci})


# ----------------------------------------------------------------------------- control route


def _control(method: str, body: Any) -> Any:
    usage = (
        'POST /_emulator/ecs-agent takes {"containerInstanceArn": ARN, "agentVersion"?: "1.2.3", '
        '"connection"?: "auto" | "connected" | "disconnected"}; GET lists the agents'
    )
    if method == "GET":
        with _lock:
            result = []
            for state in _agents.values():
                ci = _moto_instance(state)
                if ci is None:
                    continue
                result.append(
                    {
                        "containerInstanceArn": ci.container_instance_arn,
                        "ec2InstanceId": state.ec2_instance_id,
                        "agentVersion": (ci.version_info or {}).get("agentVersion"),
                        "agentConnected": ci.agent_connected,
                        "agentUpdateStatus": getattr(ci, "agent_update_status", None),
                        "connection": state.forced,
                        "history": list(state.history),
                    }
                )
            return {"agents": result}
    if not isinstance(body, dict) or not isinstance(body.get("containerInstanceArn"), str):
        raise ControlError(usage)
    unknown = set(body) - {"containerInstanceArn", "agentVersion", "connection"}
    if unknown:
        raise ControlError(f"unknown keys {sorted(unknown)}; {usage}")
    arn = body["containerInstanceArn"]
    with _lock:
        matches = [s for s in _agents.values() if (ci := _moto_instance(s)) and ci.container_instance_arn == arn]
        if not matches:
            raise ControlError(f"no registered container instance {arn}")
        state = matches[0]
        ci = _moto_instance(state)
        assert ci is not None
        if "agentVersion" in body:
            version = body["agentVersion"]
            if not isinstance(version, str) or not all(p.isdigit() for p in version.split(".")) or not version:
                raise ControlError("agentVersion must look like 1.2.3")
            ci.version_info = {**(ci.version_info or {}), "agentVersion": version}
        if "connection" in body:
            if body["connection"] not in CONNECTION_MODES:
                raise ControlError(f"connection must be one of {', '.join(CONNECTION_MODES)}")
            state.forced = body["connection"]
        _evaluate(state, clock.now())
        return {
            "containerInstanceArn": arn,
            "agentVersion": (ci.version_info or {}).get("agentVersion"),
            "agentConnected": ci.agent_connected,
            "connection": state.forced,
        }


def _reset() -> None:
    with _lock:
        _agents.clear()


def install() -> None:
    from moto.ecs.responses import EC2ContainerServiceResponse

    SETTINGS.reconnect_seconds = env_float("EMULATOR_AGENT_RECONNECT_SECONDS", 600.0)
    SETTINGS.update_stage_seconds = env_float("EMULATOR_AGENT_UPDATE_STAGE_SECONDS", 1.0)
    latest = __import__("os").environ.get("EMULATOR_ECS_LATEST_AGENT_VERSION", "").strip()
    if latest:
        if not all(p.isdigit() for p in latest.split(".")):
            from .settings import SettingError

            raise SettingError(f"EMULATOR_ECS_LATEST_AGENT_VERSION={latest!r}: must look like 1.2.3")
        SETTINGS.latest_version = latest
    EC2ContainerServiceResponse.register_container_instance = _register_container_instance  # type: ignore[method-assign]
    EC2ContainerServiceResponse.update_container_agent = _update_container_agent  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.list_container_instances = _list_container_instances  # type: ignore[method-assign]
    hooks.register_tick(tick)
    hooks.register_reset(_reset)
    hooks.register_control("ecs-agent", _control)
