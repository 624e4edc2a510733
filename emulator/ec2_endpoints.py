"""VPC endpoints as EC2 runs them, where moto 5.2 cuts corners.

Patches moto's EC2 response handlers for CreateVpcEndpoint, ModifyVpcEndpoint, DeleteVpcEndpoints
and DescribeVpcEndpoints (and the service-name filter of DescribeVpcEndpointServices), keeping
moto's `VPCEndPoint` objects the truth (`emulator.ec2_state` reads them for the SSM/ECS
extensions). Each rule names the AWS page it follows.
"""

from __future__ import annotations

import base64
import json
import random
import threading
from collections.abc import Callable
from typing import Any

from . import clock, ec2_settings, hooks

# Endpoint id -> (moto endpoint, state it reaches, when). Filled by create/modify/delete, drained by
# the tick; cleared by /moto-api/reset (moto's backends, and so the endpoints, are new after it).
_transitions: dict[str, tuple[Any, str, float]] = {}
# (account, region, client token) -> (request fingerprint, endpoint id).
_client_tokens: dict[tuple[str, str, str], tuple[str, str]] = {}
_lock = threading.RLock()

# "DescribeVpcEndpoints", Amazon EC2 API Reference: MaxResults — "If the value is greater than
# 1,000, we return only 1,000 items."
DESCRIBE_MAX_RESULTS = 1000


def _ec2_error(code: str, message: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(code, message)


# ---------------------------------------------------------------------------------------- lifecycle


def _settle_after() -> float:
    settings = ec2_settings.current()
    jitter = settings.endpointPendingJitterSeconds
    return settings.endpointPendingSeconds + (random.uniform(0.0, jitter) if jitter > 0 else 0.0)


def _is_interface(endpoint: Any) -> bool:
    return (endpoint.vpc_endpoint_type or "Gateway").lower() == "interface"


def _start(endpoint: Any, transient: str, final: str) -> None:
    """ "VPC endpoint states" (AWS PrivateLink guide, "Interface endpoint lifecycle"): a new or
    modified interface endpoint is `pending` until its network interfaces are provisioned, then
    `available`; a deleted one is `deleting`, then `deleted`. With no pending time configured the
    endpoint goes straight to its final state (moto's behaviour, the default)."""
    delay = _settle_after()
    with _lock:
        if delay <= 0:
            _transitions.pop(endpoint.id, None)
            endpoint.state = final
            return
        endpoint.state = transient
        _transitions[endpoint.id] = (endpoint, final, clock.now() + delay)


def _tick(now: float) -> None:
    with _lock:
        for endpoint_id, (endpoint, final, at) in list(_transitions.items()):
            if now >= at:
                endpoint.state = final
                del _transitions[endpoint_id]


def _reset() -> None:
    with _lock:
        _transitions.clear()
        _client_tokens.clear()


# --------------------------------------------------------------------------------------- validation


def _private_dns_name(service_name: str) -> str | None:
    """AWS services' private DNS name: com.amazonaws.<region>.<service> -> <service>.<region>.amazonaws.com
    ("Access an AWS service using an interface VPC endpoint", AWS PrivateLink guide, "DNS hostnames")."""
    parts = service_name.split(".")
    if len(parts) < 4 or parts[0] != "com" or parts[1] != "amazonaws":
        return None
    region, service = parts[2], ".".join(parts[3:])
    return f"{service}.{region}.amazonaws.com"


def _known_service(backend: Any, region: str, service_name: str) -> bool:
    default = backend._collect_default_endpoint_services(backend.account_id, region)
    custom = [c.to_dict() for c in backend.configurations.values()]
    return any(s.get("ServiceName") == service_name for s in default + custom)


def _check_subnets(backend: Any, vpc_id: str, subnet_ids: list[str]) -> None:
    """One subnet per Availability Zone ("Error codes for the Amazon EC2 API": DuplicateSubnetsInSameZone —
    "For an interface VPC endpoint, you can specify only one subnet per Availability Zone"), every
    subnet in the endpoint's VPC ("CreateVpcEndpoint", EC2 API Reference: SubnetIds are subnets of
    the VPC; another VPC's subnet is InvalidParameter)."""
    seen: dict[str, str] = {}
    for subnet_id in subnet_ids:
        subnet = backend.get_subnet(subnet_id)  # InvalidSubnetID.NotFound when unknown
        if subnet.vpc_id != vpc_id:
            raise _ec2_error("InvalidParameter", f"The subnet ID '{subnet_id}' does not belong to the VPC '{vpc_id}'.")
        zone = subnet.availability_zone
        if zone in seen and seen[zone] != subnet_id:
            raise _ec2_error(
                "DuplicateSubnetsInSameZone",
                f"Found another VPC endpoint subnet in the availability zone of {subnet_id}. VPC endpoint "
                "subnets should be in different availability zones supported by the VPC endpoint service.",
            )
        seen[zone] = subnet_id


def _check_groups(backend: Any, vpc_id: str, group_ids: list[str]) -> None:
    """Security groups of the endpoint's VPC only ("Error codes for the Amazon EC2 API": InvalidParameter —
    "you can't specify a security group and subnet that are in different VPCs";
    InvalidSecurityGroupID.NotFound for an unknown group)."""
    for group_id in group_ids:
        group = backend.get_security_group_from_id(group_id)
        if group is None:
            raise _ec2_error("InvalidSecurityGroupID.NotFound", f"The security group '{group_id}' does not exist")
        if group.vpc_id != vpc_id:
            raise _ec2_error(
                "InvalidParameter",
                f"The security group '{group_id}' does not belong to the VPC '{vpc_id}'.",
            )


def _associated_private_zones(account: str, vpc_id: str) -> list[str]:
    from moto.route53.models import route53_backends

    names = []
    for partition in list(route53_backends[account].keys()):
        for zone in list(route53_backends[account][partition].zones.values()):
            if zone.private_zone and any(v.get("vpc_id") == vpc_id for v in zone.vpcs):
                names.append(zone.name.rstrip(".").lower())
    return names


def _check_private_dns(backend: Any, vpc_id: str, service_name: str, exclude_endpoint: str | None) -> None:
    """Private DNS needs both VPC attributes ("Access an AWS service using an interface VPC endpoint",
    AWS PrivateLink guide: "To use private DNS, you must enable DNS hostnames and DNS resolution for
    your VPC") and a name no private hosted zone associated with the VPC already holds — neither
    one the customer created nor one another endpoint's private DNS created ("Manage DNS names",
    AWS PrivateLink guide; EC2 answers InvalidParameter "there is already a conflicting DNS domain")."""
    vpc = backend.get_vpc(vpc_id)
    if not (vpc.enable_dns_support and vpc.enable_dns_hostnames):
        raise _ec2_error(
            "InvalidParameter",
            "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set "
            f"to true for {vpc_id}",
        )
    name = _private_dns_name(service_name)
    if name is None:
        return
    conflicts = set(_associated_private_zones(backend.account_id, vpc_id))
    for other in backend.vpc_end_points.values():
        if (
            other.id != exclude_endpoint
            and other.vpc_id == vpc_id
            and other.state not in ("deleted", "deleting", "failed", "rejected")
            and _is_interface(other)
            and other.private_dns_enabled
        ):
            other_name = _private_dns_name(other.service_name)
            if other_name:
                conflicts.add(other_name)
    if name in conflicts:
        raise _ec2_error(
            "InvalidParameter",
            f"private-dns-enabled cannot be set because there is already a conflicting DNS domain for {name} "
            f"in the VPC {vpc_id}",
        )


# ------------------------------------------------------------------------------------------ handlers


def _list_param(response: Any, name: str) -> list[str]:
    return list(response._get_param(name, []) or [])


def _bool_param(response: Any, name: str) -> bool | None:
    raw = response._get_param(name)
    if raw is None:
        return None
    return str(raw).lower() == "true"


def _fingerprint(response: Any) -> str:
    ignored = {"Action", "Version", "ClientToken", "DryRun"}
    params = {k: v for k, v in response.querystring.items() if k not in ignored}
    return json.dumps(params, sort_keys=True)


def _create_vpc_endpoint(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def create_vpc_endpoint(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.ec2_backend
        token = self._get_param("ClientToken")
        key = (self.current_account, self.region, token) if token else None
        fingerprint = _fingerprint(self)
        if key is not None:
            with _lock:
                previous = _client_tokens.get(key)
            if previous is not None:
                # "Ensuring idempotency in Amazon EC2 API requests" (EC2 developer guide): a retry with
                # the same token and parameters returns the original result (the endpoint, whatever
                # happened to it since); other parameters fail with IdempotentParameterMismatch.
                if previous[0] != fingerprint:
                    raise _ec2_error(
                        "IdempotentParameterMismatch",
                        "The client token you have provided is associated with a resource that is already "
                        "deleted or the request parameters do not match the original request.",
                    )
                endpoint = backend.vpc_end_points.get(previous[1])
                if endpoint is not None:
                    return ActionResult({"VpcEndpoint": endpoint, "ClientToken": token})

        vpc_id = self._get_param("VpcId")
        service_name = self._get_param("ServiceName") or ""
        endpoint_type = (self._get_param("VpcEndpointType") or "Gateway").lower()
        backend.get_vpc(vpc_id)  # InvalidVpcID.NotFound
        # "Error codes for the Amazon EC2 API": InvalidServiceName — "The name of the service is not
        # valid. To get a list of available service names, use DescribeVpcEndpointServices."
        if not _known_service(backend, self.region, service_name):
            raise _ec2_error("InvalidServiceName", f"The Vpc Endpoint Service '{service_name}' does not exist")
        if endpoint_type == "interface":
            _check_subnets(backend, vpc_id, _list_param(self, "SubnetIds"))
            _check_groups(backend, vpc_id, _list_param(self, "SecurityGroupIds"))
            # "CreateVpcEndpoint", EC2 API Reference: PrivateDnsEnabled defaults to true for AWS services.
            if _bool_param(self, "PrivateDnsEnabled") is not False:
                _check_private_dns(backend, vpc_id, service_name, exclude_endpoint=None)

        result = original(self)
        endpoint = result.result["VpcEndpoint"] if hasattr(result, "result") else None
        if endpoint is None:
            endpoint = next(reversed(backend.vpc_end_points.values()))
        if key is not None:
            with _lock:
                _client_tokens[key] = (fingerprint, endpoint.id)
        # "Use CreateVpcEndpoint with an AWS SDK or CLI" (EC2 developer guide, code examples): the
        # gateway endpoint answers `available` at once; an interface endpoint is `pending` while its
        # network interfaces are provisioned.
        if _is_interface(endpoint):
            _start(endpoint, "pending", "available")
        return result

    return create_vpc_endpoint


def _modify_vpc_endpoint(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def modify_vpc_endpoint(self: Any) -> Any:
        from moto.ec2.models.vpcs import VPCEndPoint

        backend = self.ec2_backend
        endpoint_id = self._get_param("VpcEndpointId")
        endpoint = backend.describe_vpc_endpoints(vpc_end_point_ids=[endpoint_id])[0]
        add_subnets = _list_param(self, "AddSubnetIds")
        remove_subnets = set(_list_param(self, "RemoveSubnetIds"))
        add_groups = _list_param(self, "AddSecurityGroupIds")
        private_dns = _bool_param(self, "PrivateDnsEnabled")
        reset_policy = _bool_param(self, "ResetPolicy") is True
        interface = _is_interface(endpoint)
        if interface:
            kept = [s for s in (endpoint.subnet_ids or []) if s not in remove_subnets]
            _check_subnets(backend, endpoint.vpc_id, kept + [s for s in add_subnets if s not in kept])
            _check_groups(backend, endpoint.vpc_id, add_groups)
            if private_dns is True and not endpoint.private_dns_enabled:
                _check_private_dns(backend, endpoint.vpc_id, endpoint.service_name, exclude_endpoint=endpoint.id)
        if endpoint.subnet_ids is None:
            endpoint.subnet_ids = []
        result = original(self)
        # "ModifyVpcEndpoint", EC2 API Reference: ResetPolicy restores the default full-access policy;
        # PrivateDnsEnabled associates (or removes) the private hosted zone.
        if reset_policy:
            endpoint.policy_document = json.dumps(VPCEndPoint.DEFAULT_POLICY)
        if interface:
            if private_dns is not None:
                endpoint.private_dns_enabled = private_dns
            _sync_network_interfaces(backend, endpoint)
            changed = bool(add_subnets or remove_subnets or add_groups or private_dns is not None)
            changed = changed or bool(_list_param(self, "RemoveSecurityGroupIds"))
            if changed:
                _start(endpoint, "pending", "available")
        return result

    return modify_vpc_endpoint


def _sync_network_interfaces(backend: Any, endpoint: Any) -> None:
    """One requester-managed network interface per endpoint subnet ("Interface VPC endpoints", AWS
    PrivateLink guide)."""
    from moto.ec2.utils import random_private_ip

    by_subnet = {}
    for eni_id in list(endpoint.network_interface_ids):
        eni = backend.enis.get(eni_id)
        if eni is None:
            continue
        if eni.subnet.id not in (endpoint.subnet_ids or []):
            backend.enis.pop(eni_id, None)
            continue
        by_subnet[eni.subnet.id] = eni_id
    for subnet_id in endpoint.subnet_ids or []:
        if subnet_id not in by_subnet:
            by_subnet[subnet_id] = backend.create_network_interface(
                backend.get_subnet(subnet_id), random_private_ip()
            ).id
    endpoint.network_interface_ids = [by_subnet[s] for s in endpoint.subnet_ids or [] if s in by_subnet]


def _delete_vpc_endpoints(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def delete_vpc_endpoints(self: Any) -> Any:
        backend = self.ec2_backend
        ids = _list_param(self, "VpcEndpointIds")
        before = {i: backend.vpc_end_points[i].state for i in ids if i in backend.vpc_end_points}
        result = original(self)
        for endpoint_id, state in before.items():
            endpoint = backend.vpc_end_points[endpoint_id]
            if state == "deleted":
                continue
            # "VPC endpoint states" (AWS PrivateLink guide): deleting, then deleted.
            if _is_interface(endpoint):
                _start(endpoint, "deleting", "deleted")
            else:
                endpoint.state = "deleted"
        return result

    return delete_vpc_endpoints


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["o"]
    except (ValueError, KeyError, TypeError):
        offset = -1
    if not isinstance(offset, int) or offset < 0:
        raise _ec2_error("InvalidNextToken", f"The specified NextToken is not valid: {token}")
    return offset


def _describe_vpc_endpoints(self: Any) -> Any:
    """ "DescribeVpcEndpoints", EC2 API Reference: VpcEndpointIds, the filters (vpc-endpoint-id among
    them), MaxResults (more than 1,000 returns 1,000) and NextToken."""
    from moto.core.responses import ActionResult

    ids = _list_param(self, "VpcEndpointIds")
    filters = self._filters_from_querystring()
    endpoints = self.ec2_backend.describe_vpc_endpoints(vpc_end_point_ids=ids, filters=filters)
    max_results = self._get_int_param("MaxResults")
    if max_results is not None and max_results < 1:
        raise _ec2_error("InvalidParameterValue", f"Value ( {max_results} ) for parameter maxResults is invalid.")
    token = self._get_param("NextToken")
    start = _decode_token(token) if token else 0
    size = min(max_results or DESCRIBE_MAX_RESULTS, DESCRIBE_MAX_RESULTS)
    page = endpoints[start : start + size]
    result: dict[str, Any] = {"VpcEndpoints": page}
    if start + size < len(endpoints):
        result["NextToken"] = _encode_token(start + size)
    return ActionResult(result)


def _endpoint_filter_value(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_filter_value(self: Any, filter_name: str, method_name: str | None = None) -> Any:
        # "DescribeVpcEndpoints" filters: vpc-endpoint-id, service-name, vpc-id, vpc-endpoint-state,
        # vpc-endpoint-type, tag:<key>, tag-key.
        if filter_name == "vpc-endpoint-id":
            return self.id
        if filter_name == "service-name":
            return self.service_name
        if filter_name == "vpc-id":
            return self.vpc_id
        return original(self, filter_name, method_name)

    return get_filter_value


def _filter_endpoint_services(
    service_names_filters: list[str], filters: list[dict[str, Any]], services: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """ "DescribeVpcEndpointServices" filters service-name, service-type, tag:<key>, tag-key (moto 5.2
    reads `Value` where the SDKs send `Values`, and fails the call)."""
    if not service_names_filters and not filters:
        return services
    for item in filters:
        name = item.get("Name", "")
        if name not in ("service-name", "service-type", "tag-key") and not name.startswith("tag:"):
            raise _ec2_error("InvalidFilter", f"The filter '{name}' is invalid")
    chosen = []
    for service in services:
        if service_names_filters and service["ServiceName"] not in service_names_filters:
            continue
        matched = True
        for item in filters:
            values = list(item.get("Values", [])) + list(item.get("Value", []))
            name = item["Name"]
            tags = {t.get("Key"): t.get("Value") for t in service.get("Tags", []) or []}
            if name == "service-name":
                matched = matched and service["ServiceName"] in values
            elif name == "service-type":
                matched = matched and bool({t["ServiceType"] for t in service["ServiceType"]} & set(values))
            elif name == "tag-key":
                matched = matched and bool(set(tags) & set(values))
            else:
                matched = matched and tags.get(name[len("tag:") :]) in values
        if matched:
            chosen.append(service)
    return chosen


def install() -> None:
    from moto.ec2.models.vpcs import VPCBackend, VPCEndPoint
    from moto.ec2.responses import EC2Response

    EC2Response.create_vpc_endpoint = _create_vpc_endpoint(EC2Response.create_vpc_endpoint)
    EC2Response.modify_vpc_endpoint = _modify_vpc_endpoint(EC2Response.modify_vpc_endpoint)
    EC2Response.delete_vpc_endpoints = _delete_vpc_endpoints(EC2Response.delete_vpc_endpoints)
    EC2Response.describe_vpc_endpoints = _describe_vpc_endpoints
    VPCEndPoint.get_filter_value = _endpoint_filter_value(VPCEndPoint.get_filter_value)
    VPCBackend._filter_endpoint_services = staticmethod(_filter_endpoint_services)
    hooks.register_tick(_tick)
    hooks.register_reset(_reset)
