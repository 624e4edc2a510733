"""Route 53 private hosted zones across accounts, as AWS has them.

moto 5.2.5 keeps each account's zones apart and:
- answers ListHostedZonesByVPC with the caller's own zones only, ignoring `VPCRegion`, and without
  the required `MaxItems`. AWS lists "all the private hosted zones that a specified VPC is associated
  with, regardless of which AWS account or AWS service owns the hosted zones", each with its
  `Owner.OwningAccount` ("ListHostedZonesByVPC", Amazon Route 53 API Reference). Here: every
  account's private zones associated with that VPC in that Region.
- associates any VPC id with a zone (AssociateVPCWithHostedZone, CreateHostedZone with a VPC), the
  same one twice too. AWS refuses a VPC the caller's account does not have in `VPCRegion` with
  `InvalidVPCId` ("The VPC ID that you specified either isn't a valid ID or the current account is
  not authorized to access this VPC": "AssociateVPCWithHostedZone", Errors), and a VPC already
  associated with a zone of that name with `ConflictingDomainExists` ("The VPC that you specified is
  already associated with another hosted zone that has the same name"). Here too.

AWS associates another account's VPC only after the zone's owner authorized it
(CreateVPCAssociationAuthorization) and the VPC's owner asked (AssociateVPCWithHostedZone): control
`/_emulator/route53-zone-association` (POST `{"zoneOwnerAccountId", "zoneId", "vpcId", "vpcRegion"}`)
does both at once for tests and the demo, checking that the VPC exists in some account.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.route53.exceptions import InvalidVPCId, Route53ClientError
from moto.route53.models import Route53Backend, route53_backends
from moto.route53.responses import Route53

from . import hooks
from .hooks import ControlError

_moto_associate = Route53Backend.associate_vpc_with_hosted_zone
_moto_create = Route53Backend.create_hosted_zone


def _vpc_exists(account_id: str, region: str, vpc_id: str) -> bool:
    try:
        return vpc_id in ec2_backends[account_id][region].vpcs
    except KeyError:
        return False


class ConflictingDomainExists(Route53ClientError):
    def __init__(self, name: str) -> None:
        super().__init__(
            "ConflictingDomainExists",
            "The VPC that you specified is already associated with another hosted zone that has the same name"
            f" ({name}).",
        )


def _associated_names(vpc_id: str, vpc_region: str) -> set[str]:
    names: set[str] = set()
    for account_id in list(route53_backends.keys()):
        for partition_backend in route53_backends[account_id].values():
            for zone in partition_backend.zones.values():
                if zone.private_zone and any(
                    v.get("vpc_id") == vpc_id and v.get("vpc_region") in (vpc_region, None) for v in zone.vpcs
                ):
                    names.add(zone.name)
    return names


def _associate(self: Route53Backend, zone_id: str, vpcid: str, vpcregion: str) -> Any:
    if not _vpc_exists(self.account_id, vpcregion or "", vpcid or ""):
        raise InvalidVPCId()
    zone = self.get_hosted_zone(zone_id)
    if zone.name in _associated_names(vpcid, vpcregion):
        raise ConflictingDomainExists(zone.name)
    return _moto_associate(self, zone_id, vpcid, vpcregion)


def _create(self: Route53Backend, name: str, private_zone: bool, *args: Any, **kwargs: Any) -> Any:
    vpcid, vpcregion = kwargs.get("vpcid"), kwargs.get("vpcregion")
    if private_zone and vpcid and not _vpc_exists(self.account_id, vpcregion or "", vpcid):
        raise InvalidVPCId()
    # "A hosted zone with the specified name already exists and is already associated with the Amazon
    # VPC that you specified" ("CreateHostedZone", Errors: ConflictingDomainExists).
    full_name = name if name.endswith(".") else f"{name}."
    if private_zone and vpcid and full_name in _associated_names(vpcid, vpcregion or ""):
        raise ConflictingDomainExists(full_name)
    return _moto_create(self, name, private_zone, *args, **kwargs)


def _list_by_vpc(self: Route53) -> ActionResult:
    vpc_id = self._get_param("VPCId")
    vpc_region = self._get_param("VPCRegion")
    summaries = []
    for account_id in sorted(route53_backends.keys()):
        backend = route53_backends[account_id][self.partition]
        for zone in backend.zones.values():
            if not zone.private_zone:
                continue
            if any(v.get("vpc_id") == vpc_id and v.get("vpc_region") in (vpc_region, None) for v in zone.vpcs):
                summaries.append(
                    {"HostedZoneId": zone.resource_id, "Name": zone.name, "Owner": {"OwningAccount": account_id}}
                )
    return ActionResult({"HostedZoneSummaries": summaries, "MaxItems": "100"})


def _control(method: str, body: object) -> object:
    if method != "POST" or not isinstance(body, dict):
        raise ControlError('POST {"zoneOwnerAccountId", "zoneId", "vpcId", "vpcRegion"}')
    owner, zone_id = str(body.get("zoneOwnerAccountId", "")), str(body.get("zoneId", ""))
    vpc_id, vpc_region = str(body.get("vpcId", "")), str(body.get("vpcRegion", ""))
    partition = str(body.get("partition") or "aws")
    if not any(_vpc_exists(account, vpc_region, vpc_id) for account in list(ec2_backends.keys())):
        raise ControlError(f"no account has VPC {vpc_id} in {vpc_region}")
    backend = route53_backends[owner][partition]
    zone = backend.zones.get(zone_id.replace("/hostedzone/", ""))
    if zone is None or not zone.private_zone:
        raise ControlError(f"account {owner} has no private hosted zone {zone_id}")
    zone.add_vpc(vpc_id, vpc_region)
    return {"zoneId": zone.id, "vpcs": zone.vpcs}


def install() -> None:
    Route53Backend.associate_vpc_with_hosted_zone = _associate  # type: ignore[method-assign]
    Route53Backend.create_hosted_zone = _create  # type: ignore[method-assign]
    Route53.list_hosted_zones_by_vpc = _list_by_vpc  # type: ignore[method-assign]
    hooks.register_control("route53-zone-association", _control)
