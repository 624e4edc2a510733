"""SSM: managed instances and Run Command as the Systems Manager API documents them.

- `DescribeInstanceInformation` ("DescribeInstanceInformation", Systems Manager API reference) lists
  the managed EC2 instances: running instances launched with an IAM instance profile (the profile
  gives the SSM Agent its credentials: "Configure instance permissions required for Systems
  Manager"). `PingStatus` is `Online` while the instance has a path to Systems Manager (the `ssm`,
  `ssmmessages` and `ec2messages` interface endpoints available with private DNS in its AZ, or an
  internet path: "Improve the security of EC2 instances by using VPC endpoints for Systems Manager"),
  otherwise `ConnectionLost`. `PlatformType` is `Windows` for EC2 `platform: windows`, else `Linux`.
  Filters `InstanceIds`, `PingStatus`, `PlatformTypes`, `ResourceType`, `tag:<key>`, `tag-key`
  (and the legacy `InstanceInformationFilterList`; both at once is a ValidationException);
  `MaxResults` 5-50 with `NextToken`.
- `SendCommand` ("SendCommand") targets exactly its `InstanceIds` (or `Targets` by `InstanceIds` /
  `tag:<key>`), refuses instances that are not managed (`InvalidInstanceId`), unknown documents
  (`InvalidDocument`), parameters the document does not declare or that fail its `allowedPattern`
  (`InvalidParameters`), and `MaxConcurrency` / `MaxErrors` outside their patterns
  (`ValidationException`). At most `MaxConcurrency` invocations run at once; once more than
  `MaxErrors` have failed, the invocations not yet started end `Cancelled` ("Using rate controls").
- Invocations move Pending -> InProgress -> Success | Failed over emulator time ("Understanding
  command statuses"): delivered `EMULATOR_SSM_DELIVERY_SECONDS` after the request once the
  instance is Online (an instance that stays unreachable ends `TimedOut` / `DeliveryTimedOut` after
  `TimeoutSeconds`), finished `EMULATOR_SSM_RUN_SECONDS` later. Each `aws:runShellScript` step runs
  in `emulator.host_sandbox`, so its exit code and output are the invocation's. A step whose
  `platformType` precondition is not met is skipped as the SSM Agent reports it: plugin status
  `Success`, output "Step execution skipped due to unsatisfied preconditions: ...". A successful
  restart step tells `emulator.ecs_agents` that the agent was restarted.
- `ListCommandInvocations` (`CommandId`, `InstanceId`, `Details`, `Filters` Status/DocumentName/
  InvokedAfter/InvokedBefore, `MaxResults` 1-50, `NextToken`), `GetCommandInvocation` (requires
  `PluginName` when the document has more than one step: `InvalidPluginName`), `ListCommands`.
"""

from __future__ import annotations

import datetime
import math
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import clock, ecs_agents, hooks, network_paths
from .host_sandbox import AgentFacts, StepResult, host_kind, run_shell_step, windows_restart_output
from .settings import env_float

SSM_SERVICES = ("ssm", "ssmmessages", "ec2messages")
MAX_CONCURRENCY_PATTERN = re.compile(r"^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")
MAX_ERRORS_PATTERN = re.compile(r"^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")
PARAMETER_REFERENCE = re.compile(r"\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}")
SSM_AGENT_VERSION = "3.3.1142.0"
OUTPUT_LIMIT = 2500  # CommandPlugin.Output: the first 2,500 characters
CONTENT_LIMIT = 24000  # GetCommandInvocation StandardOutputContent / StandardErrorContent
PLATFORM_ACTIONS = {"aws:runShellScript": "Linux", "aws:runPowerShellScript": "Windows"}


@dataclass
class Settings:
    delivery_seconds: float = 1.0
    run_seconds: float = 2.0


SETTINGS = Settings()


@dataclass
class Step:
    name: str
    action: str
    precondition: tuple[str, str] | None  # (platformType, value)
    script: str


@dataclass
class PluginRun:
    name: str
    status: str = "Pending"
    status_details: str = "Pending"
    response_code: int = -1
    stdout: str = ""
    stderr: str = ""
    final: tuple[str, StepResult] | None = None  # computed when the invocation starts, shown when it ends


@dataclass
class Invocation:
    instance_id: str
    platform: str
    status: str = "Pending"
    status_details: str = "Pending"
    started_at: float | None = None
    finish_at: float | None = None
    finished_at: float | None = None
    plugins: list[PluginRun] = field(default_factory=list)
    results: list[StepResult] = field(default_factory=list)


@dataclass
class Command:
    command_id: str
    account: str
    region: str
    document_name: str
    document_version: str
    steps: list[Step]
    parameters: dict[str, list[str]]
    instance_ids: list[str]
    targets: list[dict[str, Any]]
    comment: str
    max_concurrency: str
    max_errors: str
    timeout_seconds: int
    requested_at: float
    invocations: dict[str, Invocation]
    service_role: str = ""


_lock = threading.RLock()
_commands: list[Command] = []
_step_cache: dict[tuple[str, str, str, str], StepResult] = {}
_last_tick = 0.0  # emulator time of the previous tick: an instance found Online now was Online since


def _dt(seconds: float | None) -> datetime.datetime | None:
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


def _iso(seconds: float | None) -> str:
    value = _dt(seconds)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if value else ""


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _validation(message: str) -> Exception:
    return _error("ValidationException", message)


def _bounded_int(value: Any, wire_name: str, default: int, low: int, high: int) -> int:
    """An optional integer member with the API's bounds: the default when absent, else the
    ValidationException SSM answers for a value outside them."""
    if value is None:
        return default
    if not isinstance(value, int) or not low <= value <= high:
        raise _validation(
            f"1 validation error detected: Value '{value}' at '{wire_name}' failed to satisfy constraint: "
            f"Member must have value between {low} and {high}"
        )
    return value


# ----------------------------------------------------------------------------- managed instances


def _tags(instance: Any) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in instance.get_tags()}


def is_managed(account: str, region: str, instance: Any) -> bool:
    backend = network_paths.ec2_backend(account, region)
    return (
        backend is not None and instance.state == "running" and instance.id in backend.iam_instance_profile_associations
    )


def platform_type(instance: Any) -> str:
    return "Windows" if (getattr(instance, "platform", None) or "").lower() == "windows" else "Linux"


def is_online(account: str, region: str, instance: Any) -> bool:
    if not is_managed(account, region, instance):
        return False
    place = network_paths.place_of(account, region, instance)
    return place is not None and network_paths.has_path(account, region, place, SSM_SERVICES)


def _instance_information(account: str, region: str, instance: Any, now: float) -> dict[str, Any]:
    windows = platform_type(instance) == "Windows"
    ip = getattr(instance, "private_ip", None) or ""
    return {
        "InstanceId": instance.id,
        "PingStatus": "Online" if is_online(account, region, instance) else "ConnectionLost",
        "LastPingDateTime": _dt(now),
        "AgentVersion": SSM_AGENT_VERSION,
        "IsLatestVersion": True,
        "PlatformType": "Windows" if windows else "Linux",
        "PlatformName": "Microsoft Windows Server 2022 Datacenter" if windows else "Amazon Linux",
        "PlatformVersion": "10.0.20348" if windows else "2",
        "ResourceType": "EC2Instance",
        "IPAddress": ip,
        "ComputerName": f"ip-{ip.replace('.', '-')}.ec2.internal" if ip else instance.id,
        "AssociationStatus": "Success",
        "SourceId": instance.id,
        "SourceType": "AWS::EC2::Instance",
    }


INFO_FILTER_KEYS = ("InstanceIds", "AgentVersion", "PingStatus", "PlatformTypes", "ResourceType", "IamRole")


def _matches(info: dict[str, Any], tags: dict[str, str], key: str, values: list[str]) -> bool:
    if key == "InstanceIds":
        return info["InstanceId"] in values
    if key == "PingStatus":
        return info["PingStatus"] in values
    if key in ("PlatformTypes", "PlatformType"):
        return info["PlatformType"] in values
    if key == "ResourceType":
        return info["ResourceType"] in values
    if key == "AgentVersion":
        return info["AgentVersion"] in values
    if key == "tag-key":
        return any(v in tags for v in values)
    if key.startswith("tag:"):
        return tags.get(key[4:]) in values
    return False


def _describe_instance_information(self: Any) -> Any:
    from moto.core.responses import ActionResult

    legacy = self._get_param("InstanceInformationFilterList") or []
    filters = self._get_param("Filters") or []
    if legacy and filters:
        raise _validation("InstanceInformationFilterList and Filters cannot be used together.")
    pairs: list[tuple[str, list[str]]] = []
    for item in legacy:
        key, values = item.get("key"), item.get("valueSet") or []
        if key not in INFO_FILTER_KEYS:
            raise _error("InvalidInstanceInformationFilterValue", f"The filter key {key!r} is not valid.")
        pairs.append((key, values))
    for item in filters:
        key, values = item.get("Key"), item.get("Values") or []
        valid = key in INFO_FILTER_KEYS or key in ("PlatformType", "tag-key") or str(key).startswith("tag:")
        if not valid or not values:
            raise _error("InvalidFilterKey", f"The filter key {key!r} is not valid.")
        pairs.append((key, values))
    max_results = _bounded_int(self._get_param("MaxResults"), "maxResults", 50, 5, 50)
    account, region, now = self.current_account, self.region, clock.now()
    requested_ids = [v for key, values in pairs if key == "InstanceIds" for v in values]
    known = {instance.id for instance in network_paths.all_instances(account, region)}
    unknown = [i for i in requested_ids if i not in known]
    if unknown:
        raise _error("InvalidInstanceId", f"Instance ids {unknown} are not valid.")
    with hooks.TICK_LOCK:
        rows = []
        instances = sorted(network_paths.all_instances(account, region), key=lambda i: i.id)
        for instance in instances:
            if not is_managed(account, region, instance):
                continue
            info = _instance_information(account, region, instance, now)
            tags = _tags(instance)
            if all(_matches(info, tags, key, values) for key, values in pairs):
                rows.append(info)
    start = _offset(self._get_param("NextToken"))
    page = rows[start : start + max_results]
    result: dict[str, Any] = {"InstanceInformationList": page}
    if start + max_results < len(rows):
        result["NextToken"] = str(start + max_results)
    return ActionResult(result)


def _offset(token: Any) -> int:
    if token is None or token == "":
        return 0
    if not isinstance(token, str) or not token.isdigit():
        raise _error("InvalidNextToken", "The specified token isn't valid.")
    return int(token)


# ----------------------------------------------------------------------------- documents


def _load_steps(account: str, region: str, name: str, version: str | None) -> tuple[list[Step], dict[str, Any], str]:
    from moto.ssm.models import ssm_backends

    backend = ssm_backends[account][region]
    documents = backend._documents.get(name)
    if not documents:
        raise _error("InvalidDocument", f"Document {name} does not exist in your account.")
    if version in (None, "", "$DEFAULT"):
        document = documents.get_default_version()
    elif version == "$LATEST":
        document = documents.get_latest_version()
    else:
        document = documents.find_by_version(version)
        if document is None:
            raise _error("InvalidDocumentVersion", f"Document {name} has no version {version}.")
    if document.document_type != "Command":
        raise _error("InvalidDocument", f"Document {name} is not a Command document.")
    content = document.content_json or {}
    steps: list[Step] = []
    for raw in content.get("mainSteps") or []:
        condition = None
        equals = (raw.get("precondition") or {}).get("StringEquals")
        if isinstance(equals, list) and len(equals) == 2:
            condition = (str(equals[0]), str(equals[1]))
        commands = (raw.get("inputs") or {}).get("runCommand") or []
        steps.append(Step(raw.get("name", ""), raw.get("action", ""), condition, "\n".join(map(str, commands))))
    for plugin, config in (content.get("runtimeConfig") or {}).items():
        properties = (config or {}).get("properties") or []
        if isinstance(properties, dict):
            properties = [properties]
        for index, prop in enumerate(properties):
            commands = (prop or {}).get("runCommand") or []
            name = plugin if len(properties) == 1 else f"{plugin}-{index}"
            steps.append(Step(name, plugin, None, "\n".join(map(str, commands))))
    return steps, content.get("parameters") or {}, document.document_version


def _resolve_parameters(declared: dict[str, Any], given: dict[str, Any]) -> dict[str, list[str]]:
    resolved: dict[str, list[str]] = {}
    for name, values in given.items():
        if name not in declared:
            raise _error("InvalidParameters", f"Parameter {name!r} is not declared by the document.")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _error("InvalidParameters", f"Parameter {name!r} must be a list of strings.")
    for name, spec in declared.items():
        spec = spec or {}
        values = given.get(name)
        if values is None:
            default = spec.get("default")
            if default is None:
                raise _error("InvalidParameters", f"Parameter {name!r} is required and has no default.")
            values = default if isinstance(default, list) else [str(default)]
        pattern = spec.get("allowedPattern")
        if pattern:
            for value in values:
                if re.search(pattern, value) is None:
                    raise _error(
                        "InvalidParameters",
                        f"Parameter {name!r} value {value!r} does not match the allowed pattern {pattern}.",
                    )
        resolved[name] = [str(v) for v in values]
    return resolved


def _substitute(text: str, parameters: dict[str, list[str]]) -> str:
    def replace(match: re.Match[str]) -> str:
        values = parameters.get(match.group(1))
        return "\n".join(values) if values is not None else match.group(0)

    return PARAMETER_REFERENCE.sub(replace, text)


# ----------------------------------------------------------------------------- SendCommand


def _resolve_targets(account: str, region: str, targets: list[dict[str, Any]]) -> list[str]:
    ids: list[str] = []
    instances = network_paths.all_instances(account, region)
    for target in targets:
        key, values = target.get("Key", ""), target.get("Values") or []
        if key == "InstanceIds":
            ids.extend(values)
        elif key.startswith("tag:"):
            ids.extend(i.id for i in instances if _tags(i).get(key[4:]) in values)
        elif key == "tag-key":
            ids.extend(i.id for i in instances if any(v in _tags(i) for v in values))
        else:
            raise _validation(f"Target key {key!r} is not supported.")
    return ids


def _send_command(self: Any) -> Any:
    from moto.core.responses import ActionResult

    account, region = self.current_account, self.region
    name = self._get_param("DocumentName")
    if not name:
        raise _validation("DocumentName is required.")
    instance_ids = list(self._get_param("InstanceIds") or [])
    targets = list(self._get_param("Targets") or [])
    if instance_ids and targets:
        raise _validation("InstanceIds and Targets cannot both be specified.")
    if len(instance_ids) > 50:
        raise _validation("InstanceIds can hold at most 50 instance ids.")
    max_concurrency = self._get_param("MaxConcurrency") or "50"
    max_errors = self._get_param("MaxErrors") or "0"
    if not MAX_CONCURRENCY_PATTERN.match(str(max_concurrency)):
        raise _validation(
            f"1 validation error detected: Value '{max_concurrency}' at 'maxConcurrency' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {MAX_CONCURRENCY_PATTERN.pattern}"
        )
    if not MAX_ERRORS_PATTERN.match(str(max_errors)):
        raise _validation(
            f"1 validation error detected: Value '{max_errors}' at 'maxErrors' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {MAX_ERRORS_PATTERN.pattern}"
        )
    timeout = _bounded_int(self._get_param("TimeoutSeconds"), "timeoutSeconds", 3600, 30, 2592000)
    steps, declared, version = _load_steps(account, region, name, self._get_param("DocumentVersion"))
    parameters = _resolve_parameters(declared, self._get_param("Parameters") or {})
    ids = list(dict.fromkeys(instance_ids or _resolve_targets(account, region, targets)))
    if not ids:
        raise _validation("SendCommand needs InstanceIds or Targets that match at least one instance.")
    invocations: dict[str, Invocation] = {}
    not_valid: list[str] = []
    for instance_id in ids:
        instance = network_paths.find_instance(account, region, instance_id)
        if instance is None or not is_managed(account, region, instance):
            not_valid.append(instance_id)
            continue
        invocations[instance_id] = Invocation(instance_id, platform_type(instance))
    if not_valid:
        # The message SSM gives for instances that are unknown, stopped or not managed.
        raise _error(
            "InvalidInstanceId",
            f"Instances [[{', '.join(not_valid)}]] not in a valid state for account {account}",
        )
    comment = self._get_param("Comment") or ""
    command = Command(
        command_id=str(uuid.uuid4()),
        account=account,
        region=region,
        document_name=name,
        document_version=version,
        steps=steps,
        parameters=parameters,
        instance_ids=ids,
        targets=targets,
        comment=comment,
        max_concurrency=str(max_concurrency),
        max_errors=str(max_errors),
        timeout_seconds=timeout,
        requested_at=clock.now(),
        invocations=invocations,
        service_role=self._get_param("ServiceRoleArn") or "",
    )
    for invocation in invocations.values():
        invocation.plugins = [PluginRun(step.name) for step in steps]
    with _lock:
        _commands.append(command)
    return ActionResult({"Command": _command_object(command)})


def _limit(value: str, total: int) -> int:
    if value.endswith("%"):
        return math.ceil(total * int(value[:-1]) / 100)
    return int(value)


def _command_object(command: Command) -> dict[str, Any]:
    invocations = list(command.invocations.values())
    done = [i for i in invocations if i.finished_at is not None]
    errors = [i for i in done if i.status in ("Failed", "TimedOut")]
    if len(done) < len(invocations):
        status = "InProgress" if any(i.status != "Pending" for i in invocations) else "Pending"
    elif any(i.status == "Cancelled" for i in invocations) and errors:
        status = "Failed"
    elif errors:
        status = "Failed"
    else:
        status = "Success"
    return {
        "CommandId": command.command_id,
        "DocumentName": command.document_name,
        "DocumentVersion": command.document_version,
        "Comment": command.comment,
        "ExpiresAfter": _dt(command.requested_at + command.timeout_seconds),
        "Parameters": command.parameters,
        "InstanceIds": command.instance_ids,
        "Targets": command.targets,
        "RequestedDateTime": _dt(command.requested_at),
        "Status": status,
        "StatusDetails": status,
        "MaxConcurrency": command.max_concurrency,
        "MaxErrors": command.max_errors,
        "TargetCount": len(invocations),
        "CompletedCount": len(done),
        "ErrorCount": len(errors),
        "DeliveryTimedOutCount": len([i for i in done if i.status_details == "DeliveryTimedOut"]),
        "ServiceRole": command.service_role,
        "TimeoutSeconds": command.timeout_seconds,
    }


# ----------------------------------------------------------------------------- execution


def _skip_output(step: Step) -> str:
    assert step.precondition is not None
    key, value = step.precondition
    condition = f"'\"StringEquals\": [{key}, {value}]'"
    return f"Step execution skipped due to unsatisfied preconditions: {condition}. Step name: {step.name}"


def _run_step(
    command: Command, invocation: Invocation, step: Step, kind: str, agent: AgentFacts | None
) -> tuple[str, StepResult]:
    """(plugin status, result) of one step on one instance."""
    if step.precondition is not None:
        key, value = step.precondition
        if key == "platformType" and value != invocation.platform:
            return "Skipped", StepResult(0, _skip_output(step), "", False)
    wanted = PLATFORM_ACTIONS.get(step.action)
    if wanted is not None and wanted != invocation.platform:
        return "Skipped", StepResult(
            0, f"Step execution skipped due to incompatible platform. Step name: {step.name}", "", False
        )
    script = _substitute(step.script, command.parameters)
    if step.action == "aws:runShellScript":
        if agent is None:
            cache_key = (script, kind, "", "")
        else:
            cache_key = (script, kind, agent.version, agent.cluster)
        cached = _step_cache.get(cache_key)
        marker = "arn:aws:ecs:emulator:000000000000:container-instance/placeholder"
        if cached is None:
            probe = AgentFacts(agent.version, agent.cluster, marker) if agent else None
            cached = run_shell_step(script, kind, probe)
            if len(_step_cache) > 256:
                _step_cache.clear()
            _step_cache[cache_key] = cached
        arn = agent.container_instance_arn if agent else ""
        result = StepResult(
            cached.exit_code, cached.stdout.replace(marker, arn), cached.stderr.replace(marker, arn), cached.restarted
        )
        return ("Success" if result.exit_code == 0 else "Failed"), result
    if step.action == "aws:runPowerShellScript" and "Restart-Service" in script and "AmazonECS" in script:
        reason = (command.parameters.get("restartReason") or [""])[0]
        result = windows_restart_output(reason, agent)
        return ("Success" if result.exit_code == 0 else "Failed"), result
    return "Failed", StepResult(1, "", f"the emulator does not run {step.action} steps", False)


def _start(command: Command, invocation: Invocation, now: float) -> None:
    instance = network_paths.find_instance(command.account, command.region, invocation.instance_id)
    kind = host_kind(_tags(instance)) if instance is not None else "no-agent"
    agent = ecs_agents.agent_facts(command.account, command.region, invocation.instance_id)
    if kind == "no-agent":
        agent = None
    invocation.status = invocation.status_details = "InProgress"
    invocation.started_at = now
    invocation.finish_at = now + SETTINGS.run_seconds
    invocation.results = []
    for plugin, step in zip(invocation.plugins, command.steps, strict=True):
        status, result = _run_step(command, invocation, step, kind, agent)
        plugin.status = plugin.status_details = "InProgress"
        invocation.results.append(result)
        plugin.response_code = -1
        plugin.stdout = plugin.stderr = ""
        plugin.final = (status, result)


def _finish(command: Command, invocation: Invocation, at: float) -> None:
    failed = False
    for plugin in invocation.plugins:
        assert plugin.final is not None
        status, result = plugin.final
        plugin.status = plugin.status_details = "Success" if status == "Skipped" else status
        plugin.response_code = result.exit_code
        plugin.stdout, plugin.stderr = result.stdout, result.stderr
        failed = failed or status == "Failed"
        if status == "Success" and result.restarted:
            ecs_agents.agent_restarted(command.account, command.region, invocation.instance_id)
    invocation.status = invocation.status_details = "Failed" if failed else "Success"
    invocation.finished_at = at


def _end_unstarted(invocation: Invocation, status: str, details: str, now: float) -> None:
    invocation.status, invocation.status_details = status, details
    invocation.finished_at = now
    for plugin in invocation.plugins:
        plugin.status, plugin.status_details = status, details


def _advance_command(command: Command, now: float) -> None:
    """Plays the command's invocations forward to `now` as a sequence of events (deliveries at the
    earliest moment a slot and the instance allow, completions `run_seconds` later), so one big clock
    step gives the same result as many small ones. Reachability is the instance's current one."""
    invocations = list(command.invocations.values())
    total = len(invocations)
    concurrency = max(1, _limit(command.max_concurrency, total))
    allowed_errors = _limit(command.max_errors, total)
    ready_at = command.requested_at + SETTINGS.delivery_seconds
    deadline = command.requested_at + command.timeout_seconds
    free_at = 0.0
    online: dict[str, bool] = {}

    def reachable(invocation: Invocation) -> bool:
        if invocation.instance_id not in online:
            instance = network_paths.find_instance(command.account, command.region, invocation.instance_id)
            online[invocation.instance_id] = instance is not None and is_online(
                command.account, command.region, instance
            )
        return online[invocation.instance_id]

    for _ in range(4 * total + 4):
        running = sorted((i for i in invocations if i.status == "InProgress"), key=lambda i: i.finish_at or 0)
        pending = [i for i in invocations if i.status == "Pending"]
        errors = len([i for i in invocations if i.status in ("Failed", "TimedOut")])
        next_finish = running[0].finish_at if running and running[0].finish_at is not None else math.inf
        if pending and errors > allowed_errors:
            for invocation in pending:
                _end_unstarted(invocation, "Cancelled", "Cancelled", max(free_at, ready_at))
            continue
        slot = max(ready_at, _last_tick, free_at) if len(running) < concurrency else math.inf
        candidates = [i for i in pending if reachable(i)]
        if candidates and slot <= now and slot <= next_finish and slot < deadline:
            _start(command, candidates[0], slot)
            continue
        if next_finish <= now:
            free_at = next_finish
            _finish(command, running[0], next_finish)
            continue
        if now >= deadline and pending and next_finish == math.inf:
            for invocation in pending:
                _end_unstarted(invocation, "TimedOut", "DeliveryTimedOut", deadline)
            continue
        break


def tick(now: float) -> None:
    global _last_tick
    with _lock:
        for command in _commands:
            if all(i.finished_at is not None for i in command.invocations.values()):
                continue
            _advance_command(command, now)
        _last_tick = now


# ----------------------------------------------------------------------------- reads


def _find_command(account: str, region: str, command_id: str | None) -> Command:
    with _lock:
        for command in _commands:
            if command.command_id == command_id and command.account == account and command.region == region:
                return command
    raise _error("InvalidCommandId", "The specified command ID isn't valid.")


def _output(result_stdout: str, result_stderr: str) -> str:
    text = result_stdout
    if result_stderr:
        text += ("\n" if text and not text.endswith("\n") else "") + "----------ERROR-------\n" + result_stderr
    return text[:OUTPUT_LIMIT]


def _invocation_object(command: Command, invocation: Invocation, details: bool) -> dict[str, Any]:
    plugins = []
    if details:
        for plugin in invocation.plugins:
            item: dict[str, Any] = {
                "Name": plugin.name,
                "Status": plugin.status,
                "StatusDetails": plugin.status_details,
                "ResponseCode": plugin.response_code,
                "Output": _output(plugin.stdout, plugin.stderr),
                "StandardOutputUrl": "",
                "StandardErrorUrl": "",
                "OutputS3Region": command.region,
                "OutputS3BucketName": "",
                "OutputS3KeyPrefix": "",
            }
            if invocation.started_at is not None:
                item["ResponseStartDateTime"] = _dt(invocation.started_at)
            if invocation.finished_at is not None and invocation.started_at is not None:
                item["ResponseFinishDateTime"] = _dt(invocation.finished_at)
            plugins.append(item)
    return {
        "CommandId": command.command_id,
        "InstanceId": invocation.instance_id,
        "InstanceName": "",
        "Comment": command.comment,
        "DocumentName": command.document_name,
        "DocumentVersion": command.document_version,
        "RequestedDateTime": _dt(command.requested_at),
        "Status": invocation.status,
        "StatusDetails": invocation.status_details,
        "TraceOutput": "",
        "StandardOutputUrl": "",
        "StandardErrorUrl": "",
        "CommandPlugins": plugins,
        "ServiceRole": command.service_role,
    }


def _invocation_filter(filters: list[dict[str, Any]]) -> Any:
    checks = []
    for item in filters:
        key, value = item.get("key"), item.get("value")
        if key == "Status":
            checks.append(lambda c, i, v=value: i.status == v)
        elif key == "DocumentName":
            checks.append(lambda c, i, v=value: c.document_name == v)
        elif key in ("InvokedAfter", "InvokedBefore"):
            try:
                moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise _error("InvalidFilterValue", f"{key} takes an ISO 8601 time, got {value!r}") from None
            if key == "InvokedAfter":
                checks.append(lambda c, i, m=moment: c.requested_at >= m)
            else:
                checks.append(lambda c, i, m=moment: c.requested_at <= m)
        else:
            raise _error("InvalidFilterKey", f"The filter key {key!r} is not valid.")
    return lambda c, i: all(check(c, i) for check in checks)


def _list_command_invocations(self: Any) -> Any:
    from moto.core.responses import ActionResult

    account, region = self.current_account, self.region
    command_id = self._get_param("CommandId")
    instance_id = self._get_param("InstanceId")
    details = bool(self._get_param("Details"))
    max_results = _bounded_int(self._get_param("MaxResults"), "maxResults", 50, 1, 50)
    matches = _invocation_filter(self._get_param("Filters") or [])
    with hooks.TICK_LOCK, _lock:
        commands = (
            [_find_command(account, region, command_id)]
            if command_id
            else [c for c in reversed(_commands) if c.account == account and c.region == region]
        )
        rows = [
            _invocation_object(c, i, details)
            for c in commands
            for i in c.invocations.values()
            if (instance_id is None or i.instance_id == instance_id) and matches(c, i)
        ]
    start = _offset(self._get_param("NextToken"))
    result: dict[str, Any] = {"CommandInvocations": rows[start : start + max_results]}
    if start + max_results < len(rows):
        result["NextToken"] = str(start + max_results)
    return ActionResult(result)


def _get_command_invocation(self: Any) -> Any:
    from moto.core.responses import ActionResult

    account, region = self.current_account, self.region
    command = _find_command(account, region, self._get_param("CommandId"))
    instance_id = self._get_param("InstanceId")
    plugin_name = self._get_param("PluginName")
    with hooks.TICK_LOCK, _lock:
        invocation = command.invocations.get(instance_id or "")
        if invocation is None:
            raise _error(
                "InvocationDoesNotExist", "The command ID and instance ID you specified didn't match any invocations."
            )
        if plugin_name is None:
            if len(invocation.plugins) != 1:
                raise _error(
                    "InvalidPluginName",
                    "The plugin name isn't valid: the document has more than one step; give PluginName (a step name).",
                )
            plugin = invocation.plugins[0]
        else:
            found = [p for p in invocation.plugins if p.name == plugin_name]
            if not found:
                raise _error("InvalidPluginName", f"The plugin name {plugin_name!r} isn't valid.")
            plugin = found[0]
        finished = invocation.finished_at is not None
        elapsed = 0.0
        if invocation.finished_at is not None and invocation.started_at is not None:
            elapsed = invocation.finished_at - invocation.started_at
        result = {
            "CommandId": command.command_id,
            "InstanceId": invocation.instance_id,
            "Comment": command.comment,
            "DocumentName": command.document_name,
            "DocumentVersion": command.document_version,
            "PluginName": plugin.name,
            "ResponseCode": plugin.response_code,
            "ExecutionStartDateTime": _iso(invocation.started_at),
            "ExecutionElapsedTime": f"PT{elapsed:.3f}S" if finished else "",
            "ExecutionEndDateTime": _iso(invocation.finished_at) if finished else "",
            "Status": plugin.status,
            "StatusDetails": plugin.status_details,
            "StandardOutputContent": plugin.stdout[:CONTENT_LIMIT],
            "StandardOutputUrl": "",
            "StandardErrorContent": plugin.stderr[:CONTENT_LIMIT],
            "StandardErrorUrl": "",
            "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False},
        }
    return ActionResult(result)


def _list_commands(self: Any) -> Any:
    from moto.core.responses import ActionResult

    account, region = self.current_account, self.region
    command_id = self._get_param("CommandId")
    instance_id = self._get_param("InstanceId")
    with hooks.TICK_LOCK, _lock:
        if command_id:
            commands = [_find_command(account, region, command_id)]
        else:
            commands = [c for c in reversed(_commands) if c.account == account and c.region == region]
        if instance_id:
            commands = [c for c in commands if instance_id in c.invocations]
        rows = [_command_object(c) for c in commands]
    return ActionResult({"Commands": rows})


def _reset() -> None:
    global _last_tick
    with _lock:
        _last_tick = 0.0
        _commands.clear()
        _step_cache.clear()


def install() -> None:
    from moto.ssm.responses import SimpleSystemManagerResponse

    SETTINGS.delivery_seconds = env_float("EMULATOR_SSM_DELIVERY_SECONDS", 1.0)
    SETTINGS.run_seconds = env_float("EMULATOR_SSM_RUN_SECONDS", 2.0)
    patches = {
        "describe_instance_information": _describe_instance_information,
        "send_command": _send_command,
        "list_commands": _list_commands,
        "list_command_invocations": _list_command_invocations,
        "get_command_invocation": _get_command_invocation,
    }
    for name, fn in patches.items():
        setattr(SimpleSystemManagerResponse, name, fn)
    hooks.register_tick(tick)
    hooks.register_reset(_reset)
