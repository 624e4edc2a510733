"""The fidelity guard: `python -m emulator.fidelity DIR [--json] [--responses]`.

Checks the requests `emulator/request_log.py` recorded in DIR against the AWS API models botocore
ships (the same models the AWS SDKs are generated from): the service and operation exist, no member
the input shape does not define, every required member present, the types, enums, length and value
bounds (`min`/`max`) and patterns the model gives. EC2's query protocol is rebuilt from its flat form
fields (`Filter.1.Name`, `SubnetId.1`, `TagSpecification.1.Tag.1.Key`) into the input structure by
the protocol's own rules (the member's `locationName` with a capital first letter, else the member
name; every list flattened as `Name.N` from 1) before the same checks; a field no member explains is
an unknown member. With `--responses` the recorded 2xx replies are checked against the output
shapes: JSON bodies as sent, EC2 XML read element by element (`locationName`, lists as `<item>`),
an element or member the shape does not define being unknown; names, required members, types and
enums, not bounds or patterns (see `Validator`). The REST protocols (rest-json: Security Hub; rest-xml:
Route 53) are read by the model's HTTP bindings: the operation from the method and the `requestUri`
template, each member from where its `location` puts it (URI label, query parameter, header, body or
`payload`); a query parameter no member binds is an unknown member. A reply an extension's request filter synthesized
that fails fails the guard; moto's own replies are reported apart and fail only with
`--strict-responses` (moto's quirks, e.g. `platform` `Linux/UNIX` on EC2 instances, are not the
extension's to fix unless the product depends on them).

Patterns follow Smithy's `pattern` trait: a regular expression that is not implicitly anchored
(`re.search`); a model pattern Python's `re` cannot compile is counted as not checked, not passed.

Requests a test marked `x-emulator-deliberate: <reason>` (sent invalid on purpose) are counted
apart and not validated. Exit code 1 when any checked request (or, with `--responses`, response) is
invalid, names a service or operation the models do not know, or came in a protocol the guard does
not read (CBOR: none of the product's services today), so a new client or an SDK that changes
protocol cannot slip past unchecked; 0 otherwise.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape
from botocore.session import Session

# Signing names that differ from botocore's service name (each service's `signingName` metadata).
SIGNING_NAME_ALIASES = {"states": "stepfunctions", "monitoring": "cloudwatch", "email": "ses"}
# Form fields of the query protocols that are not members of the input shape.
QUERY_ENVELOPE = ("Action", "Version")
_MISSING = object()
_UNREADABLE = object()  # a field whose text is not of its type: already reported, not checked again


@dataclass
class Record:
    file: str
    line: int
    entry: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Finding:
    where: str
    operation: str
    reasons: list[str]
    deliberate: str | None = None


@dataclass
class Report:
    requests: int = 0
    operations: Counter[str] = field(default_factory=Counter)
    invalid: list[Finding] = field(default_factory=list)
    unknown: list[Finding] = field(default_factory=list)
    unvalidated: list[Finding] = field(default_factory=list)
    deliberate: Counter[str] = field(default_factory=Counter)
    responses: int = 0
    response_operations: Counter[str] = field(default_factory=Counter)
    invalid_responses: list[Finding] = field(default_factory=list)  # synthesized by an extension's filter
    invalid_moto_responses: list[Finding] = field(default_factory=list)  # moto's own answers
    patterns_not_checked: set[str] = field(default_factory=set)

    def failed(self, with_responses: bool, strict: bool = False) -> bool:
        bad_responses = self.invalid_responses + (self.invalid_moto_responses if strict else [])
        return bool(self.invalid or self.unknown or self.unvalidated or (with_responses and bad_responses))

    def summary(self, with_responses: bool) -> str:
        text = (
            f"fidelity: {self.requests:,} requests, {len(self.operations)} operations, "
            f"{len(self.invalid)} invalid, {len(self.unknown)} unknown to the models"
        )
        if self.deliberate:
            text += f", {sum(self.deliberate.values())} deliberately invalid (not checked)"
        if self.unvalidated:
            text += f", {len(self.unvalidated)} in a protocol the guard does not read (cbor)"
        if with_responses:
            text += (
                f"; {self.responses:,} responses, {len(self.invalid_responses)} invalid from the extension, "
                f"{len(self.invalid_moto_responses)} from moto"
            )
        return text

    def as_json(self) -> dict[str, Any]:
        def findings(items: list[Finding]) -> list[dict[str, Any]]:
            return [{"where": f.where, "operation": f.operation, "reasons": f.reasons} for f in items]

        return {
            "requests": self.requests,
            "operations": dict(sorted(self.operations.items())),
            "invalid": findings(self.invalid),
            "unknown": findings(self.unknown),
            "unvalidated": findings(self.unvalidated),
            "deliberate": dict(sorted(self.deliberate.items())),
            "responses": self.responses,
            "responseOperations": dict(sorted(self.response_operations.items())),
            "invalidResponses": findings(self.invalid_responses),
            "invalidMotoResponses": findings(self.invalid_moto_responses),
            "patternsNotChecked": sorted(self.patterns_not_checked),
        }


class Models:
    """botocore's service models, looked up by the signing name a request was signed for."""

    def __init__(self) -> None:
        self.session = Session()
        self._cache: dict[str, ServiceModel | None] = {}

    def service(self, signing_name: str) -> ServiceModel | None:
        if signing_name not in self._cache:
            self._cache[signing_name] = self._find(signing_name)
        return self._cache[signing_name]

    def _find(self, signing_name: str) -> ServiceModel | None:
        if not signing_name:
            return None
        available = self.session.get_available_services()
        name = SIGNING_NAME_ALIASES.get(signing_name, signing_name)
        if name in available:
            return self.session.get_service_model(name)
        for candidate in available:  # slow path: a signing name this table does not know
            model = self.session.get_service_model(candidate)
            if signing_name in (model.metadata.get("signingName"), model.metadata.get("endpointPrefix")):
                return model
        return None


# ---------------------------------------------------------------------------------------------
# Validation of a value (already in Python types) against a shape.


class Validator:
    """`bounds=False` is the check of replies: no lengths, value ranges or patterns, and enums
    compared without case. The models' constraints are what AWS enforces on what a client sends; its
    replies are not held to them by the models themselves: SSM's GetCommandInvocation reply gives
    `ExecutionElapsedTime` ("Duration since ExecutionStartDateTime", SSM API reference) the model's
    date pattern `StringDateTime`, which no duration matches; EC2 reports a VPC endpoint's state as
    `pending`/`available` (the PrivateLink guide's `describe-vpc-endpoints` output) while the model's
    enum spells `Pending`/`Available` (EC2 API reference, VpcEndpoint)."""

    def __init__(self, report: Report, bounds: bool = True) -> None:
        self.report = report
        self.bounds = bounds
        self.seen: dict[tuple[str, str], list[str]] = {}  # (operation, reply digest) -> its errors

    def check(self, value: Any, shape: Shape | None, path: str, errors: list[str]) -> None:
        if shape is None:
            if value not in (None, {}):
                errors.append(f"{path or 'body'}: the operation has no members here, got {_short(value)}")
            return
        if value is _UNREADABLE:
            return
        if value is None:
            errors.append(f"{path}: null")
            return
        kind = shape.type_name
        if kind == "structure":
            self._structure(value, shape, path, errors)  # type: ignore[arg-type]
        elif kind == "list":
            self._list(value, shape, path, errors)  # type: ignore[arg-type]
        elif kind == "map":
            self._map(value, shape, path, errors)  # type: ignore[arg-type]
        elif kind == "string":
            self._string(value, shape, path, errors)
        elif kind in ("integer", "long"):
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append(f"{path}: expected an integer, got {_short(value)}")
            elif self.bounds:
                self._range(value, shape, path, errors)
        elif kind in ("float", "double"):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                errors.append(f"{path}: expected a number, got {_short(value)}")
            elif self.bounds:
                self._range(value, shape, path, errors)
        elif kind == "boolean":
            if not isinstance(value, bool):
                errors.append(f"{path}: expected a boolean, got {_short(value)}")
        elif kind == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float, str, datetime)):
                errors.append(f"{path}: expected a timestamp, got {_short(value)}")
            elif isinstance(value, str) and _parse_timestamp(value) is None:
                errors.append(f"{path}: not a timestamp: {_short(value)}")
        elif kind == "blob":
            if not isinstance(value, (str, bytes)):
                errors.append(f"{path}: expected base64 data, got {_short(value)}")
            elif isinstance(value, str):
                try:
                    base64.b64decode(value, validate=True)
                except (binascii.Error, ValueError):
                    errors.append(f"{path}: not base64")
        else:
            errors.append(f"{path}: shape type {kind!r} is not checked by the guard")

    def _structure(self, value: Any, shape: StructureShape, path: str, errors: list[str]) -> None:
        if shape.is_document_type:
            return  # any JSON value
        if not isinstance(value, dict):
            errors.append(f"{path or 'body'}: expected a structure, got {_short(value)}")
            return
        for name in value:
            if name not in shape.members:
                errors.append(f"{_join(path, name)}: unknown member of {shape.name}")
        for name in shape.required_members:
            if name not in value:
                errors.append(f"{_join(path, name)}: required member of {shape.name} missing")
        if shape.is_tagged_union and len(value) != 1:
            errors.append(f"{path or 'body'}: a union ({shape.name}) takes exactly one member, got {len(value)}")
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is not None:
                self.check(member_value, member, _join(path, name), errors)

    def _list(self, value: Any, shape: ListShape, path: str, errors: list[str]) -> None:
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {_short(value)}")
            return
        if self.bounds:
            self._length(len(value), shape, path, errors, "items")
        for index, item in enumerate(value):
            self.check(item, shape.member, f"{path}[{index}]", errors)

    def _map(self, value: Any, shape: MapShape, path: str, errors: list[str]) -> None:
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map, got {_short(value)}")
            return
        if self.bounds:
            self._length(len(value), shape, path, errors, "entries")
        for key, item in value.items():
            self.check(key, shape.key, f"{path} key {key!r}", errors)
            self.check(item, shape.value, f"{path}[{key!r}]", errors)

    def _string(self, value: Any, shape: Shape, path: str, errors: list[str]) -> None:
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string, got {_short(value)}")
            return
        enum = shape.metadata.get("enum")
        if enum and value not in enum and (self.bounds or value.lower() not in {e.lower() for e in enum}):
            errors.append(f"{path}: {value!r} is not one of {shape.name}'s values {enum}")
        if not self.bounds:
            return
        self._length(len(value), shape, path, errors, "characters")
        pattern = shape.metadata.get("pattern")
        if pattern is not None:
            compiled = _compile(pattern)
            if compiled is None:
                self.report.patterns_not_checked.add(f"{shape.name}: {pattern}")
            elif compiled.search(value) is None:
                errors.append(f"{path}: {_short(value)} does not match {shape.name}'s pattern {pattern}")

    @staticmethod
    def _length(length: int, shape: Shape, path: str, errors: list[str], unit: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and length < low:
            errors.append(f"{path}: {length} {unit}, {shape.name} takes at least {low}")
        if high is not None and length > high:
            errors.append(f"{path}: {length} {unit}, {shape.name} takes at most {high}")

    @staticmethod
    def _range(value: float, shape: Shape, path: str, errors: list[str]) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            errors.append(f"{path}: {value} is below {shape.name}'s minimum {low}")
        if high is not None and value > high:
            errors.append(f"{path}: {value} is above {shape.name}'s maximum {high}")


_patterns: dict[str, re.Pattern[str] | None] = {}


def _compile(pattern: str) -> re.Pattern[str] | None:
    if pattern not in _patterns:
        try:
            _patterns[pattern] = re.compile(pattern, re.DOTALL)
        except re.error:
            _patterns[pattern] = None
    return _patterns[pattern]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _parse_timestamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return datetime.fromtimestamp(float(text))
    except (ValueError, OverflowError):
        return None


# ---------------------------------------------------------------------------------------------
# The query protocols: flat form fields -> the input structure.


class QueryReader:
    """Rebuilds an input value from query-protocol form fields by the protocol's serialization rules.

    `ec2` (EC2's protocol): a member is serialized under its `queryName`, else its `locationName`
    with the first letter capitalised, else its member name; every list is flattened (`Name.N`, from
    1); booleans are `true`/`false`; timestamps ISO 8601. `query` (STS, ...): the `locationName` or
    member name; a list is `Name.member.N` unless flattened; a map `Name.entry.N.key` / `.value`.
    """

    def __init__(self, params: dict[str, Any], protocol: str) -> None:
        self.params = {k: (v if isinstance(v, str) else ",".join(v)) for k, v in params.items()}
        self.protocol = protocol
        self.used: set[str] = set()
        self.errors: list[str] = []

    def read(self, shape: StructureShape | None) -> tuple[Any, list[str]]:
        value = {} if shape is None else self._structure("", shape)
        if value is _MISSING:
            value = {}
        for key in sorted(set(self.params) - self.used - set(QUERY_ENVELOPE)):
            self.errors.append(f"{key}: no member of the input shape is serialized as this field")
        return value, self.errors

    def _name(self, member: Shape, name: str) -> str:
        if self.protocol == "ec2":
            if "queryName" in member.serialization:
                return member.serialization["queryName"]
            if "name" in member.serialization:
                location = member.serialization["name"]
                return location[0].upper() + location[1:]
            return name
        return member.serialization.get("name", name)

    def _has_prefix(self, key: str) -> bool:
        start = key + "."
        return any(k.startswith(start) for k in self.params)

    def _value(self, key: str, shape: Shape) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(key, shape)  # type: ignore[arg-type]
        if kind == "list":
            return self._list(key, shape)  # type: ignore[arg-type]
        if kind == "map":
            return self._map(key, shape)  # type: ignore[arg-type]
        if key not in self.params:
            return _MISSING  # fields under this key, if any, are reported as unknown
        self.used.add(key)
        return self._scalar(key, self.params[key], shape)

    def _structure(self, prefix: str, shape: StructureShape) -> Any:
        if prefix and not self._has_prefix(prefix):
            if prefix in self.params:
                self.used.add(prefix)
                self.errors.append(f"{prefix}: {shape.name} is a structure, sent as a scalar")
            return _MISSING
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            key = _join(prefix, self._name(member, name))
            value = self._value(key, member)
            if value is not _MISSING:
                result[name] = value
        return result

    def _indices(self, prefix: str) -> list[int]:
        start = prefix + "."
        found: set[int] = set()
        for key in self.params:
            if key.startswith(start):
                head = key[len(start) :].split(".", 1)[0]
                if head.isdigit():
                    found.add(int(head))
        ordered = sorted(found)
        if ordered and ordered != list(range(1, len(ordered) + 1)):
            self.errors.append(f"{prefix}: list positions {ordered} are not 1..{len(ordered)}")
        return ordered

    def _list(self, key: str, shape: ListShape) -> Any:
        prefix = key
        if self.protocol != "ec2" and not shape.serialization.get("flattened"):
            prefix = f"{key}.{shape.member.serialization.get('name', 'member')}"
        if key in self.params and self.params[key] == "" and not self._has_prefix(key):
            self.used.add(key)
            return []  # the query protocol's empty list
        indices = self._indices(prefix)
        if not indices:
            return _MISSING
        items = []
        for index in indices:
            item = self._value(f"{prefix}.{index}", shape.member)
            items.append(None if item is _MISSING else item)
        return items

    def _map(self, key: str, shape: MapShape) -> Any:
        prefix = key if shape.serialization.get("flattened") else f"{key}.entry"
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result: dict[str, Any] = {}
        indices = self._indices(prefix)
        if not indices:
            return _MISSING
        for index in indices:
            entry_key = self._value(f"{prefix}.{index}.{key_name}", shape.key)
            entry_value = self._value(f"{prefix}.{index}.{value_name}", shape.value)
            if entry_key is _MISSING:
                self.errors.append(f"{prefix}.{index}: map entry without a key")
                continue
            result[str(entry_key)] = None if entry_value is _MISSING else entry_value
        return result

    def _scalar(self, key: str, text: str, shape: Shape) -> Any:
        return _scalar_from_text(text, shape, key, self.errors)


def _scalar_from_text(text: str, shape: Shape, where: str, errors: list[str]) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        errors.append(f"{where}: {text!r} is not a {kind}")
        return _UNREADABLE
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true"
        errors.append(f"{where}: {text!r} is not a boolean (true|false)")
        return _UNREADABLE
    if kind == "timestamp":
        if _parse_timestamp(text) is None:
            errors.append(f"{where}: {text!r} is not a timestamp")
        return text
    return text


# ---------------------------------------------------------------------------------------------
# EC2's XML responses -> the output structure.


def _tag(element: ElementTree.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


class Ec2XmlReader:
    """Reads an EC2 query-protocol XML reply by the output shape: a member's element is its
    `locationName` (else its name), a list's items are `<item>` (the member's `locationName`)."""

    ITEM = "item"  # a list item's element when the list's member has no `locationName`

    def __init__(self) -> None:
        self.errors: list[str] = []

    def read(self, root: ElementTree.Element, shape: StructureShape | None, action: str) -> Any:
        if _tag(root) != f"{action}Response":
            self.errors.append(f"root element <{_tag(root)}>, expected <{action}Response>")
        children = [c for c in root if _tag(c) != "requestId"]
        if shape is None:
            for child in children:
                self.errors.append(f"<{_tag(child)}>: the operation has no output members")
            return None
        return self._structure_children(children, shape, "")

    def _structure_children(self, children: list[ElementTree.Element], shape: StructureShape, path: str) -> Any:
        by_element = {m.serialization.get("name", name): name for name, m in shape.members.items()}
        result: dict[str, Any] = {}
        for child in children:
            tag = _tag(child)
            name = by_element.get(tag)
            if name is None:
                self.errors.append(f"{_join(path, tag)}: unknown element of {shape.name}")
                continue
            result[name] = self._value(child, shape.members[name], _join(path, name))
        return result

    def _value(self, element: ElementTree.Element, shape: Shape, path: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._structure_children(list(element), shape, path)  # type: ignore[arg-type]
        if kind == "list":
            member = shape.member  # type: ignore[attr-defined]
            item_tag = member.serialization.get("name", self.ITEM)
            items = []
            for index, child in enumerate(element):
                if _tag(child) != item_tag:
                    self.errors.append(f"{path}: <{_tag(child)}> in a list of <{item_tag}>")
                    continue
                items.append(self._value(child, member, f"{path}[{index}]"))
            return items
        if kind == "map":
            result: dict[str, Any] = {}
            for child in element:
                key_el = next((c for c in child if _tag(c) == "key"), None)
                value_el = next((c for c in child if _tag(c) == "value"), None)
                if key_el is None or value_el is None:
                    self.errors.append(f"{path}: map entry without key/value")
                    continue
                result[key_el.text or ""] = self._value(value_el, shape.value, path)  # type: ignore[attr-defined]
            return result
        if len(element):
            self.errors.append(f"{path}: {shape.name} is a {kind}, got nested elements")
            return _UNREADABLE
        return _scalar_from_text(element.text or "", shape, path, self.errors)


# ---------------------------------------------------------------------------------------------
# The REST protocols (rest-json: Security Hub; rest-xml: Route 53): the operation from the HTTP
# method and the URI (the model's `http.requestUri`, labels `{Name}` and greedy `{Name+}`, literal
# query keys after `?`), the input from each member's `location`: `uri` labels, `querystring`
# parameters, `header`s, the rest (or the `payload` member) from the body.


@dataclass(frozen=True)
class RestRoute:
    operation: str
    method: str
    pattern: re.Pattern[str]
    literal_query: tuple[tuple[str, str | None], ...]
    literal_length: int


def _route(operation: str, http: dict[str, Any]) -> RestRoute:
    uri = str(http.get("requestUri", "/"))
    path, _, query = uri.partition("?")
    path = path.rstrip("/") or "/"  # `/rrset/` and `/rrset` are the same route; "/?" below takes both
    parts: list[str] = []
    literal = 0
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            greedy = name.endswith("+")
            group = re.sub(r"\W", "_", name.rstrip("+"))
            parts.append(f"(?P<{group}>.+)" if greedy else f"(?P<{group}>[^/]+)")
        else:
            parts.append(re.escape(piece))
            literal += len(piece)
    literal_query = tuple(
        (key, value if sep else None) for key, sep, value in (item.partition("=") for item in query.split("&") if item)
    )
    return RestRoute(
        operation, str(http.get("method", "GET")), re.compile("".join(parts) + "/?"), literal_query, literal
    )


class RestRoutes:
    """Each REST service's routes, built once."""

    def __init__(self) -> None:
        self._routes: dict[str, list[RestRoute]] = {}

    def operation(self, service: ServiceModel, method: str, path: str, query: dict[str, list[str]]) -> RestRoute | None:
        routes = self._routes.get(service.service_name)
        if routes is None:
            routes = [_route(name, service.operation_model(name).http) for name in service.operation_names]
            self._routes[service.service_name] = routes
        matches = [
            route
            for route in routes
            if route.method == method
            and route.pattern.fullmatch(path)
            and all(key in query and (value is None or value in query[key]) for key, value in route.literal_query)
        ]
        # The most specific route wins: more literal query keys, then more literal path.
        return max(matches, key=lambda r: (len(r.literal_query), r.literal_length), default=None)


_NAMING: tuple[Models, RestRoutes] | None = None


def rest_operation_name(signing: str, method: str, path: str, query: dict[str, list[str]]) -> str:
    """The operation a REST request names ("" when the models know none): the request log's `action`."""
    global _NAMING
    if _NAMING is None:
        _NAMING = (Models(), RestRoutes())
    models, routes = _NAMING
    service = models.service(signing)
    if service is None or service.metadata.get("protocol") not in ("rest-json", "rest-xml"):
        return ""
    route = routes.operation(service, method, path, query)
    return route.operation if route else ""


def _wire_name(name: str, member: Shape) -> str:
    return member.serialization.get("name", name)


class RestXmlReader(Ec2XmlReader):
    """rest-xml bodies: a member's element is its `locationName`, a list's items its member's
    `locationName`, else `member`; a flattened list repeats the member's element in its parent."""

    ITEM = "member"

    def _structure_children(self, children: list[ElementTree.Element], shape: StructureShape, path: str) -> Any:
        return self.members_children(children, dict(shape.members), shape.name, path)

    def members_children(
        self, children: list[ElementTree.Element], members: dict[str, Shape], owner: str, path: str
    ) -> dict[str, Any]:
        by_element = {_wire_name(name, m): name for name, m in members.items()}
        result: dict[str, Any] = {}
        for child in children:
            tag = _tag(child)
            name = by_element.get(tag)
            if name is None:
                self.errors.append(f"{_join(path, tag)}: unknown element of {owner}")
                continue
            member = members[name]
            if member.type_name == "list" and member.serialization.get("flattened"):
                items = result.setdefault(name, [])
                items.append(self._value(child, member.member, f"{_join(path, name)}[{len(items)}]"))  # type: ignore[attr-defined]
            else:
                result[name] = self._value(child, member, _join(path, name))
        return result


def _rest_body(
    text: str, shape: StructureShape, members: dict[str, Shape], model_protocol: str, where: str, errors: list[str]
) -> dict[str, Any]:
    """The body members (`members`, of `shape`) from a rest-json or rest-xml body."""
    if not text.strip():
        return {}
    by_wire = {_wire_name(name, m): name for name, m in members.items()}
    if model_protocol == "rest-json":
        try:
            body = json.loads(text)
        except ValueError:
            errors.append(f"{where}: the body is not JSON: {_short(text)}")
            return {}
        if not isinstance(body, dict):
            errors.append(f"{where}: the body is not a JSON object: {_short(body)}")
            return {}
        return {by_wire.get(key, key): value for key, value in body.items()}
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        errors.append(f"{where}: the body is not XML: {error}")
        return {}
    reader = RestXmlReader()
    value = reader.members_children(list(root), members, shape.name, "")
    errors.extend(reader.errors)
    return value


def rest_value(
    shape: StructureShape | None,
    model_protocol: str,
    labels: dict[str, str],
    query: dict[str, list[str]],
    headers: dict[str, str],
    body: str,
    consumed_query: set[str],
    errors: list[str],
) -> dict[str, Any]:
    """A request's (or reply's) members from the parts of the HTTP message they are bound to."""
    if shape is None:
        if body.strip():
            errors.append(f"body: the operation has no members here, got {_short(body)}")
        return {}
    value: dict[str, Any] = {}
    in_body: dict[str, Shape] = {}
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = _wire_name(name, member)
        if location == "uri":
            text = labels.get(re.sub(r"\W", "_", wire))
            if text is not None:
                value[name] = _scalar_from_text(text, member, name, errors)
        elif location == "querystring":
            if member.type_name == "map":
                continue  # the remaining parameters: not checked member by member
            values = query.get(wire)
            if values is None:
                continue
            consumed_query.add(wire)
            if member.type_name == "list":
                value[name] = [
                    _scalar_from_text(v, member.member, f"{name}[{i}]", errors) for i, v in enumerate(values)
                ]  # type: ignore[attr-defined]
            else:
                value[name] = _scalar_from_text(values[0], member, name, errors)
        elif location == "header":
            text = headers.get(wire.lower())
            if text is not None:
                value[name] = _scalar_from_text(text, member, name, errors)
        elif location in ("headers", "statusCode"):
            continue
        elif name != payload:
            in_body[name] = member
    if payload is not None:
        member = shape.members[payload]
        if member.type_name == "structure" and body.strip():
            inner = _rest_body(body, member, dict(member.members), model_protocol, payload, errors)  # type: ignore[attr-defined]
            value[payload] = inner
        elif body:
            value[payload] = body
    else:
        value.update(_rest_body(body, shape, in_body, model_protocol, "body", errors))
    return value


# ---------------------------------------------------------------------------------------------


def load_records(directory: Path) -> list[Record]:
    records: list[Record] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    records.append(Record(path.name, number, json.loads(line)))
    return records


def check(records: list[Record], with_responses: bool) -> Report:
    report = Report()
    models = Models()
    validator = Validator(report)
    reply_validator = Validator(report, bounds=False)
    rest_routes = RestRoutes()
    for record in records:
        entry = record.entry
        signing = entry.get("service") or ""
        action = entry.get("action") or ""
        operation = f"{signing}:{action}" if action else f"{signing}:{entry.get('method')} {entry.get('path')}"
        deliberate = entry.get("deliberate")
        if deliberate is not None:
            report.deliberate[str(deliberate)] += 1
            continue
        protocol = entry.get("protocol")
        if protocol == "rest":
            check_rest(record, models, rest_routes, validator, reply_validator, report, with_responses)
            continue
        if protocol not in ("json", "query"):
            report.unvalidated.append(
                Finding(record.where, operation, [f"protocol {protocol}: emulator/fidelity.py does not read it"])
            )
            continue
        report.requests += 1
        service = models.service(signing)
        if service is None or action not in service.operation_names:
            why = f"service {signing!r} unknown" if service is None else f"{service.service_name} has no {action!r}"
            report.unknown.append(Finding(record.where, operation, [why]))
            continue
        report.operations[operation] += 1
        op = service.operation_model(action)
        errors: list[str] = []
        model_protocol = service.metadata.get("protocol")
        if protocol == "json":
            prefix = service.metadata.get("targetPrefix")
            if prefix and entry.get("target") != f"{prefix}.{action}":
                errors.append(f"X-Amz-Target {entry.get('target')!r}, expected {prefix}.{action}")
            validator.check(entry.get("body") if entry.get("body") is not None else {}, op.input_shape, "", errors)
        else:
            if model_protocol not in ("ec2", "query"):
                errors.append(f"sent as a query-protocol form; {service.service_name} speaks {model_protocol}")
            value, read_errors = QueryReader(entry.get("params") or {}, model_protocol or "query").read(op.input_shape)
            errors.extend(read_errors)
            validator.check(value, op.input_shape, "", errors)
        if errors:
            report.invalid.append(Finding(record.where, operation, errors))
        if with_responses:
            check_response(record, op, protocol, operation, reply_validator, report)
    return report


def check_rest(
    record: Record,
    models: Models,
    routes: RestRoutes,
    validator: Validator,
    reply_validator: Validator,
    report: Report,
    with_responses: bool,
) -> None:
    entry = record.entry
    signing = entry.get("service") or ""
    method, path = str(entry.get("method") or "GET"), str(entry.get("path") or "/")
    where = f"{signing}:{method} {path}"
    service = models.service(signing)
    model_protocol = service.metadata.get("protocol") if service is not None else None
    if service is None or model_protocol not in ("rest-json", "rest-xml"):
        why = (
            f"service {signing!r} unknown"
            if service is None
            else f"{service.service_name} speaks {model_protocol}, sent as REST"
        )
        report.unknown.append(Finding(record.where, where, [why]))
        return
    query: dict[str, list[str]] = entry.get("query") or {}
    route = routes.operation(service, method, path, query)
    if route is None:
        report.unknown.append(
            Finding(record.where, where, [f"{service.service_name} has no operation at {method} {path}"])
        )
        return
    report.requests += 1
    operation = f"{signing}:{route.operation}"
    report.operations[operation] += 1
    op = service.operation_model(route.operation)
    match = route.pattern.fullmatch(path)
    labels = {k: v for k, v in (match.groupdict() if match else {}).items() if v is not None}
    errors: list[str] = []
    consumed = {key for key, _ in route.literal_query}
    value = rest_value(
        op.input_shape,
        model_protocol,
        labels,
        query,
        entry.get("headers") or {},
        entry.get("bodyText") or "",
        consumed,
        errors,
    )
    for key in sorted(set(query) - consumed):
        if op.input_shape is None or not any(
            m.serialization.get("location") == "querystring" and m.type_name == "map"
            for m in op.input_shape.members.values()
        ):
            errors.append(
                f"query parameter {key!r}: no member of {op.input_shape.name if op.input_shape else route.operation}"
            )
    validator.check(value, op.input_shape, "", errors)
    if errors:
        report.invalid.append(Finding(record.where, operation, errors))
    if not with_responses:
        return
    response = entry.get("response") or {}
    if not 200 <= response.get("status", 0) < 300 or "bodyText" not in response:
        return
    text = response["bodyText"]

    def reply_errors() -> list[str]:
        errors: list[str] = []
        value = _rest_reply(text, op, model_protocol, response.get("headers") or {}, errors)
        if op.output_shape is not None:
            reply_validator.check(value, op.output_shape, "", errors)
        return errors

    _report_reply(record, operation, text, reply_errors, reply_validator, report)


def _report_reply(
    record: Record,
    operation: str,
    text: str,
    errors_of: Callable[[], list[str]],
    validator: Validator,
    report: Report,
) -> None:
    """Counts one 2xx reply and files its errors. The suite repeats many identical replies (the same
    region's DescribeVpcEndpointServices): each distinct one is read once."""
    key = (operation, hashlib.sha256(text.encode()).hexdigest())
    errors = validator.seen.get(key)
    if errors is None:
        errors = errors_of()
        validator.seen[key] = errors
    report.responses += 1
    report.response_operations[operation] += 1
    if errors:
        synthesized = record.entry.get("response", {}).get("answeredBy") == "filter"
        (report.invalid_responses if synthesized else report.invalid_moto_responses).append(
            Finding(record.where, operation, errors)
        )


def _rest_reply(text: str, op: Any, model_protocol: str, headers: dict[str, str], errors: list[str]) -> Any:
    shape = op.output_shape
    if shape is None:
        return None
    if model_protocol == "rest-xml" and text.strip() and shape.serialization.get("payload") is None:
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as error:
            errors.append(f"the body is not XML: {error}")
            return _UNREADABLE
        expected = shape.serialization.get("name") or f"{op.name}Response"
        if _tag(root) != expected:
            errors.append(f"root element <{_tag(root)}>, expected <{expected}>")
    lowered = {k.lower(): v for k, v in headers.items()}
    return rest_value(shape, model_protocol, {}, {}, lowered, text, set(), errors)


def check_response(
    record: Record, op: Any, protocol: str, operation: str, validator: Validator, report: Report
) -> None:
    response = record.entry.get("response") or {}
    status = response.get("status", 0)
    if not 200 <= status < 300:
        return
    if protocol == "json":
        if "body" not in response and "bodyText" not in response:
            return
        text = json.dumps(response.get("body", response.get("bodyText")), sort_keys=True)
    elif "xml" in response:
        text = response["xml"]
    else:
        return
    _report_reply(record, operation, text, lambda: _reply_errors(response, op, protocol, validator), validator, report)


def _reply_errors(response: dict[str, Any], op: Any, protocol: str, validator: Validator) -> list[str]:
    errors: list[str] = []
    if protocol == "json":
        if "body" not in response:
            errors.append(f"the body is not JSON: {_short(response['bodyText'])}")
        else:
            validator.check(response["body"], op.output_shape, "", errors)
        return errors
    try:
        root = ElementTree.fromstring(response["xml"])
    except ElementTree.ParseError as error:
        return [f"the body is not XML: {error}"]
    reader = Ec2XmlReader()
    value = reader.read(root, op.output_shape, op.name)
    errors.extend(reader.errors)
    if op.output_shape is not None:
        validator.check(value, op.output_shape, "", errors)
    return errors


def _print_text(report: Report, with_responses: bool) -> None:
    print("requests per operation:")
    for operation, count in sorted(report.operations.items()):
        print(f"  {count:6d}  {operation}")
    for title, items in (
        ("invalid requests", report.invalid),
        ("operations unknown to the models", report.unknown),
        ("not checked (protocol)", report.unvalidated),
    ) + (
        (
            ("invalid responses synthesized by the extension", report.invalid_responses),
            (
                "invalid responses from moto itself (not failing unless --strict-responses)",
                report.invalid_moto_responses,
            ),
        )
        if with_responses
        else ()
    ):
        if items:
            print(f"{title}: {len(items)}")
            for finding in items:
                print(f"  {finding.operation} ({finding.where})")
                for reason in finding.reasons:
                    print(f"    - {reason}")
    if report.deliberate:
        print("deliberately invalid (marked by the test, not checked):")
        for reason, count in sorted(report.deliberate.items()):
            print(f"  {count:6d}  {reason}")
    if report.patterns_not_checked:
        print(f"model patterns Python cannot compile (not checked): {len(report.patterns_not_checked)}")
    print(report.summary(with_responses))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.fidelity", description=__doc__.split("\n", 1)[0])
    parser.add_argument("directory", type=Path, help="EMULATOR_RECORD_DIR of the run")
    parser.add_argument("--json", action="store_true", help="one JSON document instead of text")
    parser.add_argument("--responses", action="store_true", help="check the recorded 2xx replies too")
    parser.add_argument(
        "--strict-responses", action="store_true", help="with --responses: moto's own invalid replies fail too"
    )
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        print(f"fidelity: {args.directory} is not a directory", file=sys.stderr)
        return 2
    report = check(load_records(args.directory), args.responses)
    if args.json:
        print(json.dumps({**report.as_json(), "summary": report.summary(args.responses)}, indent=2))
    else:
        _print_text(report, args.responses)
    return 1 if report.failed(args.responses, args.strict_responses) else 0


if __name__ == "__main__":
    sys.exit(main())
