"""Read-only view of the emulator's VPC endpoints for the other extension modules (SSM, ECS).

moto's `VPCEndPoint` objects in `ec2_backends[account][region].vpc_end_points` are the truth:
`emulator.ec2_endpoints` moves `endpoint.state` through the lifecycle EC2 documents ("VPC endpoint
states", AWS PrivateLink guide: pendingAcceptance, pending, available, deleting, deleted, rejected,
failed, expired) and keeps `private_dns_enabled`, `subnet_ids`, `security_group_ids` and
`policy_document` accurate after ModifyVpcEndpoint. Callers read, never write.
"""

from __future__ import annotations

from typing import Any


def endpoints(account: str, region: str) -> list[Any]:
    """Every VPC endpoint moto holds for this account and Region (deleted ones included: filter on
    `state`). Empty when the Region's EC2 backend has never been used."""
    from moto.ec2.models import ec2_backends

    try:
        backend = ec2_backends[account][region]
    except KeyError:
        return []
    return list(backend.vpc_end_points.values())


def is_available(endpoint: Any) -> bool:
    """True only in the `available` state: the only state in which an interface endpoint's network
    interfaces accept traffic and its private DNS names resolve (AWS PrivateLink guide, "Access an
    AWS service using an interface VPC endpoint")."""
    return getattr(endpoint, "state", None) == "available"
