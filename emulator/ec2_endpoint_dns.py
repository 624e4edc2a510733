"""EC2: an interface endpoint's DNS name in AWS's form.

moto 5.2.5 names an interface endpoint `<endpoint id>-<random>.<service name>` (for example
`vpce-0123-abcd1234.com.amazonaws.us-east-1.ecs`). AWS gives it a Regional name
`<endpoint id>-<random>.<service>.<region>.vpce.amazonaws.com` ("DNS names for interface endpoints",
AWS PrivateLink guide: "endpoint_id.service_id.region.vpce.amazonaws.com"), the name a hub's private
hosted zone aliases; the product compares alias targets with these names. The service part of a
dotted service name is reversed as AWS writes it (`com.amazonaws.us-east-1.ecr.api` ->
`api.ecr.us-east-1.vpce.amazonaws.com`).
"""

from __future__ import annotations

import moto.ec2.models.vpcs as vpcs
from moto.ec2.utils import random_resource_id


def regional_dns_entry(service_name: str, vpc_endpoint_id: str) -> dict[str, str]:
    parts = service_name.split(".")
    # com.amazonaws.<region>.<service...>; other prefixes (aws.sagemaker..., com.amazonaws.vpce...)
    # keep moto's own name.
    if len(parts) < 4 or parts[0] != "com" or parts[1] != "amazonaws":
        return {
            "dns_name": f"{vpc_endpoint_id}-{random_resource_id(8)}.{service_name}",
            "hosted_zone_id": "Z7HUB22UULQXV",
        }
    region, service = parts[2], ".".join(reversed(parts[3:]))
    return {
        "dns_name": f"{vpc_endpoint_id}-{random_resource_id(8)}.{service}.{region}.vpce.amazonaws.com",
        "hosted_zone_id": "Z7HUB22UULQXV",
    }


def install() -> None:
    vpcs.create_dns_entries = regional_dns_entry  # type: ignore[assignment]
