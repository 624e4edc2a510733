"""Security Hub: BatchImportFindings and GetFindings as the AWS pages describe them.

moto 5.2.5 stores what BatchImportFindings sends and returns every finding from GetFindings: it
ignores `Filters`, imports for any account (or none) the request names, overwrites an existing
finding with whatever is sent (`Workflow` and `CreatedAt` included), accepts more than 100 findings
per request, and answers an account without Security Hub as if it had it. What this module changes,
each from the page named:

- "BatchImportFindings" (API reference): at most 100 findings per request (and at least one:
  `InvalidInputException`); the caller's account must be each finding's `AwsAccountId` when the
  default product ARN (`product/<account>/default`, in the request's Region) is used; a finding that
  breaks that rule, or lacks a required ASFF attribute (SchemaVersion, Id, ProductArn, GeneratorId,
  AwsAccountId, CreatedAt, UpdatedAt, Title, Description, Resources), is a `FailedFindings` entry
  (`Id`, `ErrorCode`, `ErrorMessage`) and the rest of the batch is imported. The page gives no code
  or wording for these entries: the ones here (`InvalidInput`, `AccessDeniedException`) are the
  emulator's. After creation BatchImportFindings cannot update `Note`, `UserDefinedFields`,
  `VerificationState` and `Workflow`: an update keeps the stored ones.
- "FindingProviderFields" (API reference): a new finding's empty `FindingProviderFields` is filled
  from the top-level `Severity` and `Types`; an update's `FindingProviderFields` set them (no
  customer has changed them here: there is no BatchUpdateFindings).
- "AwsSecurityFinding" (API reference): Security Hub populates `Region`; a new finding without a
  workflow starts at `Workflow.Status` NEW, `RecordState` ACTIVE. "Workflow" (API reference): the
  status goes back from NOTIFIED or RESOLVED to NEW when `RecordState` changes from ARCHIVED to
  ACTIVE, or the compliance status from PASSED to WARNING, FAILED or NOT_AVAILABLE.
- "GetFindings" / "StringFilter" (API reference): the string filters of the attributes below, with
  EQUALS, PREFIX, CONTAINS (joined by OR within an attribute), NOT_EQUALS, PREFIX_NOT_EQUALS,
  NOT_CONTAINS (joined by AND), attributes joined by AND; at most 10 attributes and 20 values each.
  A filter attribute this module does not emulate is refused (InvalidInputException naming it)
  rather than ignored.
- "BatchImportFindings for finding providers" (user guide): Security Hub accepts findings only for
  accounts that have it enabled: both operations answer `InvalidAccessException` (HTTP 401) until
  EnableSecurityHub in that account and Region.

Not modelled: the 240 KB / 6 MB size limits, cross-Region aggregation, SortCriteria, the other
filter types (dates, numbers, maps), and Security Hub's request rates.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from moto.core.exceptions import ServiceException
from moto.securityhub.models import Finding, SecurityHubBackend
from moto.utilities.paginator import paginate

MAX_FINDINGS_PER_REQUEST = 100
MAX_FILTER_ATTRIBUTES = 10
MAX_FILTER_VALUES = 20

REQUIRED = (
    "SchemaVersion",
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "CreatedAt",
    "UpdatedAt",
    "Title",
    "Description",
    "Resources",
)
# Fields BatchImportFindings cannot update once the finding exists (the customer's).
CUSTOMER_FIELDS = ("Note", "UserDefinedFields", "VerificationState", "Workflow", "WorkflowState")

DEFAULT_PRODUCT = re.compile(r"^arn:(aws(?:-[a-z]+)*):securityhub:([a-z0-9-]+):(\d{12}):product/(\d{12})/default$")


def _get(path: str):
    def read(finding: dict[str, Any]) -> Any:
        value: Any = finding
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    return read


# GetFindings filter attribute -> where its value is in a finding.
STRING_FILTERS = {
    "Id": _get("Id"),
    "ProductArn": _get("ProductArn"),
    "GeneratorId": _get("GeneratorId"),
    "AwsAccountId": _get("AwsAccountId"),
    "Region": _get("Region"),
    "RecordState": _get("RecordState"),
    "ComplianceStatus": _get("Compliance.Status"),
    "WorkflowStatus": _get("Workflow.Status"),
    "SeverityLabel": _get("Severity.Label"),
    "Title": _get("Title"),
}
POSITIVE = {"EQUALS", "PREFIX", "CONTAINS"}
NEGATIVE = {"NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS"}


class InvalidInputException(ServiceException):
    code = "InvalidInputException"


class InvalidAccessException(ServiceException):
    code = "InvalidAccessException"


def _require_hub(backend: SecurityHubBackend) -> None:
    if not backend.enabled:
        raise InvalidAccessException(
            f"Account {backend.account_id} is not subscribed to AWS Security Hub in {backend.region_name}"
        )


def _matches(comparison: str, value: Any, wanted: str) -> bool:
    text = value if isinstance(value, str) else ""
    if comparison == "EQUALS":
        return text == wanted
    if comparison == "PREFIX":
        return text.startswith(wanted)
    if comparison == "CONTAINS":
        return wanted in text
    if comparison == "NOT_EQUALS":
        return text != wanted
    if comparison == "PREFIX_NOT_EQUALS":
        return not text.startswith(wanted)
    return wanted not in text  # NOT_CONTAINS


def _predicates(filters: dict[str, Any] | None) -> list[tuple[Any, list[tuple[str, str]]]]:
    if not filters:
        return []
    if not isinstance(filters, dict):
        raise InvalidInputException("Filters must be an object")
    used = {name: value for name, value in filters.items() if value}
    if len(used) > MAX_FILTER_ATTRIBUTES:
        raise InvalidInputException(f"You can filter by up to {MAX_FILTER_ATTRIBUTES} finding attributes")
    predicates = []
    for name, entries in used.items():
        if name not in STRING_FILTERS:
            raise InvalidInputException(f"the emulator does not filter on {name}")
        if not isinstance(entries, list) or len(entries) > MAX_FILTER_VALUES:
            raise InvalidInputException(f"{name}: at most {MAX_FILTER_VALUES} filter values")
        parsed = []
        for entry in entries:
            comparison, wanted = entry.get("Comparison"), entry.get("Value")
            if comparison not in POSITIVE | NEGATIVE or not isinstance(wanted, str):
                raise InvalidInputException(f"{name}: a filter needs a Value and a Comparison")
            parsed.append((comparison, wanted))
        kinds = {c for c, _ in parsed}
        if "CONTAINS" in kinds and kinds - {"CONTAINS"} or "NOT_CONTAINS" in kinds and kinds - {"NOT_CONTAINS"}:
            raise InvalidInputException(f"{name}: CONTAINS and NOT_CONTAINS filters go only with their own kind")
        if "EQUALS" in kinds and kinds & {"NOT_EQUALS", "PREFIX_NOT_EQUALS"}:
            raise InvalidInputException(f"{name}: EQUALS does not go with NOT_EQUALS or PREFIX_NOT_EQUALS")
        predicates.append((STRING_FILTERS[name], parsed))
    return predicates


def _selected(finding: dict[str, Any], predicates: list[tuple[Any, list[tuple[str, str]]]]) -> bool:
    for read, entries in predicates:
        value = read(finding)
        positive = [(c, w) for c, w in entries if c in POSITIVE]
        negative = [(c, w) for c, w in entries if c in NEGATIVE]
        if positive and not any(_matches(c, value, w) for c, w in positive):
            return False
        if not all(_matches(c, value, w) for c, w in negative):
            return False
    return True


@paginate(pagination_model=SecurityHubBackend.PAGINATION_MODEL)
def get_findings(
    self: SecurityHubBackend,
    filters: dict[str, Any] | None = None,
    sort_criteria: list[dict[str, str]] | None = None,
    max_results: int | None = None,
) -> list[dict[str, Any]]:
    _require_hub(self)
    if max_results is not None and not (isinstance(max_results, int) and 1 <= max_results <= 100):
        raise InvalidInputException("MaxResults must be a number from 1 to 100")
    predicates = _predicates(filters)
    return [copy.deepcopy(f.data) for f in self.findings if _selected(f.data, predicates)]


def _failure(finding: Any, code: str, message: str) -> dict[str, Any]:
    finding_id = finding.get("Id") if isinstance(finding, dict) else None
    return {
        "Id": finding_id if isinstance(finding_id, str) and finding_id else "unknown",
        "ErrorCode": code,
        "ErrorMessage": message,
    }


def _refusal(self: SecurityHubBackend, finding: Any) -> dict[str, Any] | None:
    if not isinstance(finding, dict):
        return _failure(finding, "InvalidInput", "a finding must be an object")
    missing = [name for name in REQUIRED if finding.get(name) in (None, "", [])]
    if missing:
        return _failure(finding, "InvalidInput", f"Finding is missing required attributes: {', '.join(missing)}")
    if not isinstance(finding["Resources"], list):
        return _failure(finding, "InvalidInput", "Resources must be a list")
    match = DEFAULT_PRODUCT.match(str(finding["ProductArn"]))
    if match is None or match.group(3) != match.group(4):
        return _failure(
            finding, "InvalidInput", f"the emulator knows only the default product ARN, not {finding['ProductArn']}"
        )
    if match.group(2) != self.region_name or match.group(3) != self.account_id:
        return _failure(
            finding,
            "AccessDeniedException",
            f"the product {finding['ProductArn']} is not the default product of account "
            f"{self.account_id} in {self.region_name}",
        )
    if finding["AwsAccountId"] != self.account_id:
        return _failure(
            finding,
            "AccessDeniedException",
            f"account {self.account_id} cannot import a finding of account {finding['AwsAccountId']} "
            "with the default product ARN (the caller's account must be the finding's AwsAccountId)",
        )
    return None


def _provider_fields(finding: dict[str, Any]) -> dict[str, Any]:
    fields = dict(finding.get("FindingProviderFields") or {})
    for name in ("Severity", "Types", "Confidence", "Criticality", "RelatedFindings"):
        if name not in fields and name in finding:
            fields[name] = finding[name]
    return fields


def _created(self: SecurityHubBackend, sent: dict[str, Any]) -> dict[str, Any]:
    stored = copy.deepcopy(sent)
    stored["Region"] = self.region_name
    stored.setdefault("RecordState", "ACTIVE")
    stored.setdefault("Workflow", {"Status": "NEW"})
    stored.setdefault("WorkflowState", "NEW")
    stored["FindingProviderFields"] = _provider_fields(sent)
    product_fields = dict(stored.get("ProductFields") or {})
    product_fields["aws/securityhub/FindingId"] = f"{sent['ProductArn']}/{sent['Id']}"
    stored["ProductFields"] = product_fields
    return stored


def _updated(self: SecurityHubBackend, old: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    stored = copy.deepcopy(sent)
    for name in CUSTOMER_FIELDS:
        stored.pop(name, None)
        if name in old:
            stored[name] = copy.deepcopy(old[name])
    stored["Region"] = old.get("Region", self.region_name)
    stored.setdefault("RecordState", old.get("RecordState", "ACTIVE"))
    provider = dict(old.get("FindingProviderFields") or {})
    provider.update(sent.get("FindingProviderFields") or {})
    stored["FindingProviderFields"] = provider
    for name in ("Severity", "Types"):
        if name in provider:
            stored[name] = copy.deepcopy(provider[name])
    product_fields = dict(stored.get("ProductFields") or {})
    product_fields["aws/securityhub/FindingId"] = f"{sent['ProductArn']}/{sent['Id']}"
    stored["ProductFields"] = product_fields
    reopened = old.get("RecordState") == "ARCHIVED" and stored["RecordState"] == "ACTIVE"
    old_compliance = (old.get("Compliance") or {}).get("Status")
    new_compliance = (stored.get("Compliance") or {}).get("Status")
    failed_again = old_compliance == "PASSED" and new_compliance in ("WARNING", "FAILED", "NOT_AVAILABLE")
    workflow = (stored.get("Workflow") or {}).get("Status")
    if (reopened or failed_again) and workflow in ("NOTIFIED", "RESOLVED"):
        stored["Workflow"] = {**stored["Workflow"], "Status": "NEW"}
        stored["WorkflowState"] = "NEW"
    return stored


def batch_import_findings(
    self: SecurityHubBackend, findings: list[dict[str, Any]]
) -> tuple[int, int, list[dict[str, Any]]]:
    _require_hub(self)
    if not isinstance(findings, list) or not 1 <= len(findings) <= MAX_FINDINGS_PER_REQUEST:
        count = len(findings) if isinstance(findings, list) else 0
        raise InvalidInputException(
            f"Findings must hold 1 to {MAX_FINDINGS_PER_REQUEST} findings per request, got {count}"
        )
    failed: list[dict[str, Any]] = []
    succeeded = 0
    for sent in findings:
        refusal = _refusal(self, sent)
        if refusal is not None:
            failed.append(refusal)
            continue
        existing = next(
            (f for f in self.findings if f.id == sent["Id"] and f.data.get("ProductArn") == sent["ProductArn"]),
            None,
        )
        if existing is None:
            self.findings.append(Finding(sent["Id"], _created(self, sent)))
        else:
            existing.data = _updated(self, existing.data, sent)
        succeeded += 1
    return len(failed), succeeded, failed


def install() -> None:
    SecurityHubBackend.get_findings = get_findings  # type: ignore[method-assign]
    SecurityHubBackend.batch_import_findings = batch_import_findings  # type: ignore[method-assign]
