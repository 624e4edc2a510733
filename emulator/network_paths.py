"""Whether an EC2 instance can reach an AWS service: the network facts the SSM and ECS agents depend on.

An instance reaches a Regional AWS service either over the internet or through interface VPC
endpoints (AWS PrivateLink guide, "Access an AWS service using an interface VPC endpoint"):
- internet path: its subnet's route table (the explicitly associated one, else the VPC's main table;
  Amazon VPC guide, "Route tables for your VPC") has a default route to a NAT gateway or a NAT
  instance, or to an internet gateway while the instance has a public IPv4 address ("Enable internet
  access for a VPC using an internet gateway": an instance needs a public IPv4 address to use the
  gateway);
- endpoint path, per service: an endpoint of that service in the instance's VPC that is `available`,
  has private DNS on (the agents use the Regional DNS names, which resolve to the endpoint only with
  private DNS, and only when the VPC has both `enableDnsSupport` and `enableDnsHostnames`: "DNS
  attributes for your VPC"), has a network interface in the instance's Availability Zone, and one of
  whose security groups allows inbound TCP 443 from the instance ("Control traffic to VPC endpoints
  using security groups").
Network ACLs and custom DHCP DNS servers are not modelled (the product reports those as advice).

Read-only over moto's EC2 models; the endpoint list and states come from `emulator.ec2_state`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import ec2_state


def service_name(region: str, short: str) -> str:
    return f"com.amazonaws.{region}.{short}"


def ec2_backend(account: str, region: str) -> Any | None:
    from moto.ec2.models import ec2_backends

    try:
        return ec2_backends[account][region]
    except KeyError:
        return None


def find_instance(account: str, region: str, instance_id: str) -> Any | None:
    backend = ec2_backend(account, region)
    if backend is None:
        return None
    # list(...) snapshots moto's dicts in one C call: the extension's ticks run beside moto's own
    # request threads, which add reservations, tables and associations while we read.
    for reservation in list(backend.reservations.values()):
        for instance in list(reservation.instances):
            if instance.id == instance_id:
                return instance
    return None


def all_instances(account: str, region: str) -> list[Any]:
    backend = ec2_backend(account, region)
    if backend is None:
        return []
    return [instance for reservation in list(backend.reservations.values()) for instance in list(reservation.instances)]


def _route_table_of(backend: Any, subnet_id: str, vpc_id: str) -> Any | None:
    main = None
    for table in list(backend.route_tables.values()):
        if table.vpc_id != vpc_id:
            continue
        if subnet_id in list(table._associations.values()):
            return table
        if table.main_association_id is not None:
            main = table
    return main


def _default_route_targets(table: Any) -> tuple[bool, bool]:
    """(route to an internet gateway, route to a NAT gateway or NAT instance) for 0.0.0.0/0."""
    igw = nat = False
    for route in list(table.routes):
        if route.destination_cidr_block != "0.0.0.0/0":
            continue
        gateway_id = route.gateway_id or ""
        if gateway_id.startswith("igw-"):
            igw = True
        if route.nat_gateway is not None or route.instance is not None:
            nat = True
    return igw, nat


def _instance_group_ids(instance: Any) -> set[str]:
    ids: set[str] = set()
    for nic in list(getattr(instance, "nics", {}).values()):
        for group in getattr(nic, "group_set", []) or []:
            ids.add(group.id)
    for group in getattr(instance, "security_groups", []) or []:
        group_id = getattr(group, "id", None)
        if group_id:
            ids.add(group_id)
    return ids


def _rule_allows_443(rule: Any) -> bool:
    protocol = rule.ip_protocol
    if protocol == "-1":
        return True
    if protocol not in ("tcp", "6"):
        return False
    return rule.from_port is not None and rule.to_port is not None and rule.from_port <= 443 <= rule.to_port


def _group_allows_443_from(group: Any, private_ip: str | None, instance_groups: set[str]) -> bool:
    address = ipaddress.ip_address(private_ip) if private_ip else None
    for rule in group.ingress_rules:
        if not _rule_allows_443(rule):
            continue
        cidr = (rule.ip_range or {}).get("CidrIp")
        if cidr and address is not None and address in ipaddress.ip_network(cidr, strict=False):
            return True
        source = (rule.source_group or {}).get("GroupId")
        if source and source in instance_groups:
            return True
    return False


@dataclass(frozen=True)
class InstancePlace:
    instance_id: str
    vpc_id: str
    subnet_id: str
    availability_zone: str
    private_ip: str | None
    group_ids: frozenset[str]
    internet: bool


def place_of(account: str, region: str, instance: Any) -> InstancePlace | None:
    backend = ec2_backend(account, region)
    subnet_id = getattr(instance, "subnet_id", None)
    if backend is None or not subnet_id:
        return None
    try:
        subnet = backend.get_subnet(subnet_id)
    except Exception:
        return None
    vpc_id = subnet.vpc_id
    table = _route_table_of(backend, subnet_id, vpc_id)
    igw, nat = _default_route_targets(table) if table is not None else (False, False)
    internet = nat or (igw and bool(getattr(instance, "public_ip", None)))
    return InstancePlace(
        instance_id=instance.id,
        vpc_id=vpc_id,
        subnet_id=subnet_id,
        availability_zone=subnet.availability_zone,
        private_ip=getattr(instance, "private_ip", None),
        group_ids=frozenset(_instance_group_ids(instance)),
        internet=internet,
    )


def _vpc_private_dns_works(backend: Any, vpc_id: str) -> bool:
    try:
        vpc = backend.get_vpc(vpc_id)
    except Exception:
        return False
    return bool(vpc.enable_dns_support) and bool(vpc.enable_dns_hostnames)


def endpoint_serves(account: str, region: str, endpoint: Any, place: InstancePlace) -> bool:
    """The endpoint carries this instance's traffic to its service (see the module docstring)."""
    backend = ec2_backend(account, region)
    if backend is None or endpoint.vpc_id != place.vpc_id or not ec2_state.is_available(endpoint):
        return False
    if (getattr(endpoint, "vpc_endpoint_type", "") or "").lower() != "interface":
        return False
    if not endpoint.private_dns_enabled or not _vpc_private_dns_works(backend, place.vpc_id):
        return False
    in_az = False
    for subnet_id in endpoint.subnet_ids or []:
        try:
            if backend.get_subnet(subnet_id).availability_zone == place.availability_zone:
                in_az = True
                break
        except Exception:
            continue
    if not in_az:
        return False
    for group_id in endpoint.security_group_ids or []:
        try:
            group = backend.get_security_group_from_id(group_id)
        except Exception:
            group = None
        if group is not None and _group_allows_443_from(group, place.private_ip, set(place.group_ids)):
            return True
    return False


def has_path(account: str, region: str, place: InstancePlace, services: Iterable[str]) -> bool:
    """True when the instance reaches every one of `services` (short names): over the internet, or
    each through an endpoint that serves it."""
    if place.internet:
        return True
    endpoints = [e for e in ec2_state.endpoints(account, region) if e.vpc_id == place.vpc_id]
    for short in services:
        name = service_name(region, short)
        if not any(e.service_name == name and endpoint_serves(account, region, e, place) for e in endpoints):
            return False
    return True
