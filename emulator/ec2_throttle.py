"""EC2's request token buckets ("Request throttling for the Amazon EC2 API", Amazon EC2 developer
guide, https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).

Each API has its own bucket per account and Region ("each API is evaluated individually"), sized by
the API's category; a request takes one token; a bucket refills at its rate up to its capacity; a
request finding its bucket empty fails with `RequestLimitExceeded` (a server error: HTTP 503, "Error
codes for the Amazon EC2 API") and takes no token. On with EMULATOR_THROTTLE=aws (or
`{"throttle": "aws"}` on `/_emulator/ec2`); EMULATOR_THROTTLE_SPEED multiplies the refill rates.
Time is the emulator clock, so a test can drain a bucket, then advance the clock to refill it.

`GET /_emulator/ec2-throttle` shows the buckets in use and the refusals per action since the reset.
`POST /_emulator/ec2-throttle {"bucket": NAME, "region": R, "account"?: A, "tokens"?: N}` is a test
control, not an AWS behaviour: it sets one bucket's level to N tokens (default 0: drained; at most
its capacity) at the emulator's now, as if other callers of the account had just taken the rest;
from then on the bucket refills at its usual rate. NAME is a bucket as GET names it (the action,
or `<action>/unfiltered`); the account defaults to MOTO_ACCOUNT_ID, else moto's default account.
Refused while throttling is off (switching it on starts from full buckets).
Not modelled: the resource token buckets of RunInstances/StartInstances/StopInstances/
TerminateInstances (tokens per instance), and the console's own bucket.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

from . import clock, ec2_settings, hooks
from .errors import ec2_error
from .hooks import ControlError, Reply, RequestInfo


@dataclass(frozen=True)
class BucketSize:
    capacity: float
    refill_per_second: float


# The page's "Request token bucket sizes and refill rates" table.
NON_MUTATING = BucketSize(100, 20)
UNFILTERED_NON_MUTATING = BucketSize(50, 10)
MUTATING = BucketSize(50, 5)
RESOURCE_INTENSIVE = BucketSize(50, 5)

# "Unfiltered and unpaginated non-mutating actions": these use the smaller bucket when the request
# has neither a filter nor pagination (MaxResults / NextToken).
UNFILTERED_ACTIONS = frozenset(
    {
        "DescribeInstances",
        "DescribeInstanceStatus",
        "DescribeNetworkInterfaces",
        "DescribeSecurityGroups",
        "DescribeSnapshots",
        "DescribeSpotInstanceRequests",
        "DescribeVolumes",
    }
)

RESOURCE_INTENSIVE_ACTIONS = frozenset(
    {
        "AcceptVpcPeeringConnection",
        "AuthorizeSecurityGroupIngress",
        "CancelSpotInstanceRequests",
        "CreateKeyPair",
        "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection",
        "RejectVpcPeeringConnection",
        "RevokeSecurityGroupIngress",
        "RequestSpotInstances",
    }
)

# "Uncategorized actions": their own sizes. The VPC endpoint writes are the ones the product meets
# most (4 tokens, 0.3 per second); the rest of the table's VPC, network-interface, tag, instance and
# endpoint-service entries are here too.
UNCATEGORIZED: dict[str, BucketSize] = {
    "AcceptVpcEndpointConnections": BucketSize(10, 1),
    "AssignIpv6Addresses": BucketSize(100, 5),
    "AssignPrivateIpAddresses": BucketSize(100, 5),
    "AssignPrivateNatGatewayAddress": BucketSize(10, 1),
    "AssociateIamInstanceProfile": BucketSize(100, 5),
    "AssociateNatGatewayAddress": BucketSize(10, 1),
    "CopyImage": BucketSize(100, 1),
    "CreateDefaultSubnet": BucketSize(1, 1),
    "CreateDefaultVpc": BucketSize(1, 1),
    "CreateLaunchTemplateVersion": BucketSize(100, 5),
    "CreateNatGateway": BucketSize(10, 1),
    "CreateNetworkInterface": BucketSize(100, 5),
    "CreateSnapshot": BucketSize(100, 5),
    "CreateSnapshots": BucketSize(100, 5),
    "CreateSubnetCidrReservation": BucketSize(5, 1),
    "CreateTags": BucketSize(100, 10),
    "CreateVolume": BucketSize(100, 5),
    "CreateVpcEndpoint": BucketSize(4, 0.3),
    "CreateVpcEndpointServiceConfiguration": BucketSize(10, 1),
    "DeleteNatGateway": BucketSize(10, 1),
    "DeleteNetworkInterface": BucketSize(100, 5),
    "DeleteSnapshot": BucketSize(100, 5),
    "DeleteSubnetCidrReservation": BucketSize(5, 1),
    "DeleteTags": BucketSize(100, 10),
    "DeleteVolume": BucketSize(100, 5),
    "DeleteVpcEndpoints": BucketSize(4, 0.3),
    "DeleteVpcEndpointServiceConfigurations": BucketSize(10, 1),
    "DeregisterImage": BucketSize(100, 5),
    "DescribeAggregateIdFormat": BucketSize(10, 10),
    "DescribeByoipCidrs": BucketSize(1, 0.5),
    "DescribeIdentityIdFormat": BucketSize(10, 10),
    "DescribeIdFormat": BucketSize(10, 10),
    "DescribeInstanceTopology": BucketSize(1, 1),
    "DescribeMovingAddresses": BucketSize(1, 1),
    "DescribePrincipalIdFormat": BucketSize(10, 10),
    "DescribeReservedInstancesOfferings": BucketSize(10, 10),
    "DescribeSecurityGroupReferences": BucketSize(20, 5),
    "DescribeSpotFleetRequests": BucketSize(50, 3),
    "DescribeStaleSecurityGroups": BucketSize(20, 5),
    "DisassociateIamInstanceProfile": BucketSize(100, 5),
    "DisassociateNatGatewayAddress": BucketSize(10, 1),
    "ModifyImageAttribute": BucketSize(100, 5),
    "ModifyInstanceMetadataOptions": BucketSize(100, 5),
    "ModifyLaunchTemplate": BucketSize(100, 5),
    "ModifyNetworkInterfaceAttribute": BucketSize(100, 5),
    "ModifySnapshotAttribute": BucketSize(100, 5),
    "ModifyVpcEndpoint": BucketSize(4, 0.3),
    "ModifyVpcEndpointServiceConfiguration": BucketSize(10, 1),
    "RejectVpcEndpointConnections": BucketSize(10, 1),
    "RunInstances": BucketSize(5, 2),
    "StartInstances": BucketSize(5, 2),
    "TerminateInstances": BucketSize(100, 5),
    "UnassignPrivateIpAddresses": BucketSize(100, 5),
    "UnassignPrivateNatGatewayAddress": BucketSize(10, 1),
}

NON_MUTATING_PREFIXES = ("Describe", "List", "Search", "Get")


def _filtered_or_paginated(info: RequestInfo) -> bool:
    return any(
        key.startswith(("Filter.", "MaxResults", "NextToken")) and any(v != "" for v in values)
        for key, values in info.params.items()
    )


def _size_of(action: str) -> BucketSize:
    if action in UNCATEGORIZED:
        return UNCATEGORIZED[action]
    if action in RESOURCE_INTENSIVE_ACTIONS:
        return RESOURCE_INTENSIVE
    if action.startswith(NON_MUTATING_PREFIXES):
        return NON_MUTATING
    return MUTATING


def bucket_for(info: RequestInfo) -> tuple[str, BucketSize]:
    """(bucket name, size) of one EC2 request."""
    action = info.action
    if action in UNFILTERED_ACTIONS and not _filtered_or_paginated(info):
        return f"{action}/unfiltered", UNFILTERED_NON_MUTATING
    return action, _size_of(action)


def size_of_bucket(name: str) -> BucketSize:
    """The size of a bucket by the name `bucket_for` gives it (`<action>/unfiltered` included)."""
    action, _, suffix = name.partition("/")
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", action) or (suffix and suffix != "unfiltered"):
        raise ControlError(f"bucket must be an EC2 action or <action>/unfiltered, got {name!r}")
    if suffix:
        if action not in UNFILTERED_ACTIONS:
            raise ControlError(f"{action} has no unfiltered bucket")
        return UNFILTERED_NON_MUTATING
    return _size_of(action)


class Bucket:
    def __init__(self, size: BucketSize, now: float) -> None:
        self.size = size
        self.tokens = size.capacity
        self.updated = now

    def take(self, now: float, speed: float) -> bool:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.size.capacity, self.tokens + elapsed * self.size.refill_per_second * speed)
        self.updated = now
        # Epoch-sized floats lose ~1e-6 s per subtraction: a whole token is 1 within that.
        if self.tokens >= 1.0 - 1e-5:
            self.tokens = max(0.0, self.tokens - 1.0)
            return True
        return False


_lock = threading.Lock()
_buckets: dict[tuple[str, str, str], Bucket] = {}
# RequestLimitExceeded answers since the last reset, per action (GET /_emulator/ec2-throttle).
_throttled: dict[str, int] = {}


def _account(info: RequestInfo) -> str:
    """The moto account of the request, as moto resolves it (MOTO_ACCOUNT_ID, the x-moto-account-id
    header, else the access key's account): EC2 meters "each AWS account on a per-Region basis"."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if "x-moto-account-id" in info.headers:
        return info.headers["x-moto-account-id"]
    from moto.iam.models import get_account_id_from

    return get_account_id_from(info.access_key)


def _filter(info: RequestInfo) -> Reply | None:
    settings = ec2_settings.current()
    if settings.throttle != "aws" or info.service != "ec2" or not info.action:
        return None
    name, size = bucket_for(info)
    key = (_account(info), info.region, name)
    now = clock.now()
    with _lock:
        bucket = _buckets.get(key)
        if bucket is None:
            bucket = _buckets[key] = Bucket(size, now)
        if bucket.take(now, settings.throttleSpeed):
            return None
        _throttled[info.action] = _throttled.get(info.action, 0) + 1
    return ec2_error("RequestLimitExceeded", "Request limit exceeded.", status=503)


_mode = {"throttle": "off"}


def _drop_buckets(settings: ec2_settings.Ec2Settings) -> None:
    """Switching throttling on starts from full buckets, as a quiet account would."""
    with _lock:
        if settings.throttle != _mode["throttle"]:
            _buckets.clear()
        _mode["throttle"] = settings.throttle


def _reset() -> None:
    with _lock:
        _buckets.clear()
        _throttled.clear()


_DRAIN_USAGE = (
    'POST /_emulator/ec2-throttle takes {"bucket": NAME, "region": REGION, "account"?: ACCOUNT, '
    '"tokens"?: N (0 to the capacity, default 0)}'
)


def _default_account() -> str:
    from moto.core import DEFAULT_ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)


def _set_level(body: object, now: float) -> None:
    """A test control: one bucket's level set to `tokens` at `now` (see the module docstring)."""
    if not isinstance(body, dict):
        raise ControlError(_DRAIN_USAGE)
    unknown = set(body) - {"bucket", "region", "account", "tokens"}
    if unknown:
        raise ControlError(f"unknown keys {sorted(unknown)}; {_DRAIN_USAGE}")
    name, region = body.get("bucket"), body.get("region")
    account = body.get("account", _default_account())
    if not isinstance(name, str) or not isinstance(region, str) or not region:
        raise ControlError(_DRAIN_USAGE)
    if not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
        raise ControlError("account must be 12 digits")
    size = size_of_bucket(name)
    tokens = body.get("tokens", 0)
    if not isinstance(tokens, (int, float)) or isinstance(tokens, bool) or not 0 <= tokens <= size.capacity:
        raise ControlError(f"tokens must be a number from 0 to the bucket's capacity ({size.capacity:g})")
    if ec2_settings.current().throttle != "aws":
        raise ControlError('throttling is off: set {"throttle": "aws"} on /_emulator/ec2 first')
    with _lock:
        bucket = _buckets.get((account, region, name))
        if bucket is None:
            bucket = _buckets[(account, region, name)] = Bucket(size, now)
        bucket.tokens = float(tokens)
        bucket.updated = now


def _control(method: str, body: object) -> object:
    """GET: the buckets in use (tokens left, the page's capacity and refill rate, and the speed
    factor that multiplies the refill) and how many requests each action had refused since the
    reset. POST: sets one bucket's level (a test control), then answers as GET."""
    now = clock.now()
    if method == "POST":
        _set_level(body, now)
    elif method != "GET":
        raise ControlError("use GET or POST")
    speed = ec2_settings.current().throttleSpeed
    with _lock:
        buckets = []
        for (account, region, name), bucket in sorted(_buckets.items()):
            elapsed = max(0.0, now - bucket.updated)
            tokens = min(bucket.size.capacity, bucket.tokens + elapsed * bucket.size.refill_per_second * speed)
            buckets.append(
                {
                    "account": account,
                    "region": region,
                    "bucket": name,
                    "tokens": round(tokens, 3),
                    "capacity": bucket.size.capacity,
                    "refillPerSecond": bucket.size.refill_per_second,
                }
            )
        return {"throttled": dict(_throttled), "buckets": buckets, "speed": speed}


def install() -> None:
    hooks.register_request_filter(_filter)
    hooks.register_reset(_reset)
    hooks.register_control("ec2-throttle", _control)
    _mode["throttle"] = ec2_settings.current().throttle
    ec2_settings.on_change(_drop_buckets)
