"""Validation and coercion of user-supplied field values (forms, CLI, import files).

Each entity has a table of field specs; :func:`coerce` turns raw values (strings from a
form or JSON values from a file) into typed ones or collects one message per field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from ecpm_tui import dates, lifecycle, pptf, risk
from ecpm_tui.errors import ValidationError
from ecpm_tui.text import clean

SHORT = 200
TITLE = 300
LONG = 20_000


@dataclass(frozen=True)
class Spec:
    """How one field is parsed and checked."""

    parse: Callable[[Any, str], Any]
    required: bool = False


def string(max_len: int, *, multiline: bool = False) -> Callable[[Any, str], str]:
    """A parser for text of at most *max_len* characters, control characters stripped."""

    def parse(value: Any, field: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str | int | float | Decimal):
            raise ValidationError.from_fields({field: "must be text"})
        out = clean(str(value))
        # Single-line fields fold runs of whitespace; multi-line ones keep their lines.
        out = out.strip() if multiline else " ".join(out.split())
        if len(out) > max_len:
            raise ValidationError.from_fields(
                {field: f"is too long ({len(out):,} characters; at most {max_len:,})"}
            )
        return out

    return parse


def _enum(
    enum_cls: type[StrEnum], *, optional: bool = False, empty: str | None = ""
) -> Callable[[Any, str], Any]:
    """Parse a member by value or label; an optional blank becomes *empty*."""

    def parse(value: Any, field: str) -> Any:
        if optional and (value is None or (isinstance(value, str) and not value.strip())):
            return empty
        if isinstance(value, enum_cls):
            return value.value
        if not isinstance(value, str):
            raise ValidationError.from_fields({field: "must be text"})
        return lifecycle.parse_enum(enum_cls, value.strip(), field).value

    return parse


def _choice(choices: tuple[str, ...]) -> Callable[[Any, str], str]:
    def parse(value: Any, field: str) -> str:
        text = str(value or "").strip().lower()
        if text not in choices:
            raise ValidationError.from_fields({field: "must be one of: " + ", ".join(choices)})
        return text

    return parse


def _date(value: Any, field: str) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError.from_fields({field: "must be a date as YYYY-MM-DD"})


def _relative_date(value: str, field: str, today: date) -> date | None:
    if not value.strip():
        return None
    try:
        return dates.parse_date(value, today)
    except dates.DateError as exc:
        raise ValidationError.from_fields({field: str(exc)}) from exc


def _int_range(low: int, high: int, *, optional: bool) -> Callable[[Any, str], int | None]:
    def parse(value: Any, field: str) -> int | None:
        if optional and (value is None or (isinstance(value, str) and not value.strip())):
            return None
        if isinstance(value, bool):
            value = None
        try:
            number = int(str(value).strip()) if not isinstance(value, int) else value
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            raise ValidationError.from_fields(
                {field: f"must be a whole number from {low} to {high}"}
            )
        return number

    return parse


int_range = _int_range
"""Public name of the whole-number parser, for specs defined by store modules."""

date_field = _date
"""Public name of the date parser (``coerce(..., today=...)`` adds relative forms)."""


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError.from_fields({field: "must be an amount such as 125000.00"})
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("_", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError.from_fields({field: "must be an amount such as 125000.00"})
    if amount < 0:
        raise ValidationError.from_fields({field: "cannot be negative"})
    if amount >= Decimal("1e12"):
        raise ValidationError.from_fields({field: "is too large"})
    return amount.quantize(Decimal("0.01"))


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off", ""):
        return False
    raise ValidationError.from_fields({field: "must be yes or no"})


def _key(value: Any, field: str) -> str:
    return lifecycle.validate_project_key(str(value or ""))


def _currency(value: Any, field: str) -> str:
    text = str(value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValidationError.from_fields({field: "must be a 3-letter ISO code such as EUR"})
    return text


def _phase(value: Any, field: str) -> str:
    if isinstance(value, lifecycle.Phase):
        return value.value
    return lifecycle.parse_phase(str(value or "")).value


def _tags(value: Any, field: str) -> str:
    raw = string(500)(value, field)
    tags: list[str] = []
    for part in re.split(r"[,\s]+", raw):
        tag = part.strip().lstrip("#").lower()
        if tag and tag not in tags:
            tags.append(tag)
    return ", ".join(tags)


def _category(value: Any, field: str) -> str:
    return _choice(risk.CATEGORIES)(value, field)


PROJECT: dict[str, Spec] = {
    "key": Spec(_key, required=True),
    "name": Spec(string(SHORT), required=True),
    "description": Spec(string(LONG, multiline=True)),
    "channel": Spec(_enum(lifecycle.Channel)),
    "objectives": Spec(string(LONG, multiline=True)),
    "scope": Spec(string(LONG, multiline=True)),
    "sponsor": Spec(string(SHORT)),
    "manager": Spec(string(SHORT)),
    "phase": Spec(_phase),
    "health": Spec(_enum(lifecycle.Health)),
    "health_note": Spec(string(LONG, multiline=True)),
    "start_date": Spec(_date),
    "target_date": Spec(_date),
    "budget": Spec(_decimal),
    "currency": Spec(_currency),
    "archived": Spec(_bool),
}

CARD: dict[str, Spec] = {
    "title": Spec(string(TITLE), required=True),
    "description": Spec(string(LONG, multiline=True)),
    "phase": Spec(_phase),
    "status": Spec(_enum(lifecycle.CardStatus)),
    "kind": Spec(_enum(lifecycle.CardKind)),
    "workstream": Spec(_enum(lifecycle.Workstream, optional=True)),
    "assignee": Spec(string(64)),
    "department": Spec(string(100)),
    "priority": Spec(_enum(lifecycle.Priority)),
    "due_date": Spec(_date),
    "estimate": Spec(_int_range(0, 1000, optional=True)),
    "tags": Spec(_tags),
    "acceptance_criteria": Spec(string(LONG, multiline=True)),
    "blocked_reason": Spec(string(LONG, multiline=True)),
}

RISK: dict[str, Spec] = {
    "title": Spec(string(TITLE), required=True),
    "cause": Spec(string(LONG, multiline=True)),
    "effect": Spec(string(LONG, multiline=True)),
    "kind": Spec(_enum(risk.RiskKind)),
    "category": Spec(_category),
    "pptf_dimension": Spec(_enum(pptf.Dimension, optional=True)),
    "workstream": Spec(_enum(lifecycle.Workstream, optional=True)),
    "owner": Spec(string(64)),
    "status": Spec(_enum(risk.RiskStatus)),
    "response": Spec(_enum(risk.Response, optional=True, empty=None)),
    "likelihood": Spec(_int_range(1, 5, optional=False)),
    "impact": Spec(_int_range(1, 5, optional=False)),
    "residual_likelihood": Spec(_int_range(1, 5, optional=True)),
    "residual_impact": Spec(_int_range(1, 5, optional=True)),
    "trigger": Spec(string(LONG, multiline=True)),
    "mitigation": Spec(string(LONG, multiline=True)),
    "contingency": Spec(string(LONG, multiline=True)),
    "next_review_date": Spec(_date),
    "proximity_date": Spec(_date),
    "closed_reason": Spec(string(LONG, multiline=True)),
    "acceptance_justification": Spec(string(LONG, multiline=True)),
    "accepted_by": Spec(string(64)),
}


def coerce(
    specs: Mapping[str, Spec],
    values: Mapping[str, Any],
    *,
    partial: bool,
    today: date | None = None,
) -> dict[str, Any]:
    """Parse every given field; on any error raise one ValidationError naming each field.

    With ``partial`` (an update), required fields are only checked when present. Given
    *today* (forms do, import files do not), date fields also accept the relative forms
    of :mod:`ecpm_tui.dates` such as ``+2w`` or ``fri``.
    """
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            errors[name] = "is not a field that can be set here"
            continue
        try:
            if today is not None and spec.parse is _date and isinstance(value, str):
                value = _relative_date(value, name, today)
            parsed = spec.parse(value, name)
        except ValidationError as exc:
            errors[name] = exc.errors.get(name) or next(iter(exc.errors.values()), exc.message)
            continue
        if spec.required and parsed in ("", None):
            errors[name] = "is required"
            continue
        out[name] = parsed
    if not partial:
        for name, spec in specs.items():
            if spec.required and name not in values:
                errors[name] = "is required"
    if errors:
        raise ValidationError.from_fields(errors)
    return out
