"""Import of an export file: validated and built before the write lock, all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from ecpm_tui import fields, files, lifecycle, pptf
from ecpm_tui.errors import ValidationError
from ecpm_tui.exchange.reader import Problems, Reader
from ecpm_tui.exchange.schema import (
    FORMAT,
    FORMAT_VERSION,
    MAX_IMPORT_BYTES,
)
from ecpm_tui.models import (
    Answer,
    Assessment,
    AuditEvent,
    Card,
    GateCheck,
    PhaseTransition,
    Project,
    Risk,
)
from ecpm_tui.store import (
    AnswerSpec,
    EventSpec,
    InterviewSpec,
    ProjectBundle,
    Store,
    validate_risk,
)
from ecpm_tui.store.pptf import LANGUAGES


@dataclass(frozen=True)
class ImportResult:
    """What an import added (or would add, on a dry run)."""

    projects: list[str]
    cards: int
    risks: int
    assessments: int
    dry_run: bool

    def describe(self) -> str:
        """One line for the terminal."""
        verb = "Would import" if self.dry_run else "Imported"
        keys = ", ".join(self.projects) or "nothing"
        return (
            f"{verb} {len(self.projects)} project(s) ({keys}): {self.cards} cards, "
            f"{self.risks} risks, {self.assessments} interviews."
        )


def parse_import(text: str) -> dict[str, Any]:
    """Decode an import file's JSON and check its envelope."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"Not a valid ecpm export: JSON error at line {exc.lineno}: {exc.msg}."
        ) from exc
    except RecursionError as exc:
        raise ValidationError("Not a valid ecpm export: the JSON is nested too deeply.") from exc
    except ValueError as exc:
        # Python refuses to convert integers of more than 4,300 digits.
        raise ValidationError("Not a valid ecpm export: a number has too many digits.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError('Not an ecpm export file (missing "format": "ecpm-export").')
    if data.get("format_version") != FORMAT_VERSION:
        raise ValidationError(
            f"Unsupported export format version {data.get('format_version')!r} "
            f"(this ecpm reads version {FORMAT_VERSION})."
        )
    if not isinstance(data.get("projects"), list):
        raise ValidationError("The export has no list of projects.")
    return data


def read_import_file(path: Path, max_bytes: int = MAX_IMPORT_BYTES) -> dict[str, Any]:
    """Read and decode an import file with a clear error for every failure."""
    raw = files.read_regular_file(path, max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path} is not UTF-8 text (byte {exc.start}).") from exc
    return parse_import(text)


def import_data(store: Store, data: Mapping[str, Any], dry_run: bool = False) -> ImportResult:
    """Add every project of an export in one transaction; any error changes nothing.

    The whole file is validated and built before the write lock is taken.
    """
    projects = data.get("projects")
    if not isinstance(projects, list):
        raise ValidationError("The export has no list of projects.")
    problems = Problems()
    bundles: list[ProjectBundle] = []
    for i, raw in enumerate(projects, 1):
        with problems.record():
            bundles.append(_bundle(store.bank, Reader(raw, f"project #{i}"), problems))
    keys = [b.project.key for b in bundles]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        problems.add(f"The file holds project key {', '.join(twice)} more than once.")
    problems.check()  # all-or-nothing: any error, and nothing is written
    done = store.create_bundles(
        bundles, "import", f"Imported {len(keys)} project(s): {', '.join(keys)}", dry_run
    )
    return ImportResult(done.projects, done.cards, done.risks, done.assessments, dry_run)


def _bundle(bank: pptf.QuestionBank, r: Reader, problems: Problems) -> ProjectBundle:
    """One project of the file; an error in one of its records is noted in *problems* and
    the reading goes on with the next record, so one run reports them all."""
    values = r.entity(dict(fields.PROJECT))
    key = values["key"]
    r.where = f"project {key}"
    state = r.text("state", 12, "active") or "active"
    if state not in {st.value for st in lifecycle.ProjectState}:
        raise r.fail(f"unknown state {state!r}.")
    project = Project(
        **values,
        risk_seq=r.int("risk_seq"),
        state=state,
        state_reason=r.text("state_reason", default=""),
        **r.tracked(),
    )
    bundle = ProjectBundle(project)

    cards: dict[int, Card] = {}
    for j, raw in enumerate(r.list("cards"), 1):
        with problems.record():
            c = Reader(raw, f"project {key} card #{j}")
            n = c.int("n", 1)
            assert n is not None
            if n in cards:
                raise c.fail(f"card number {n} appears twice.")
            cards[n] = Card(
                **c.entity(fields.CARD),
                rank=c.int("rank", -(2**31)),
                entered_at=c.when("entered_at", True),
                **c.tracked(),
            )
    bundle.cards = list(cards.values())

    gates: dict[str, GateCheck] = {}
    for j, raw in enumerate(r.list("gate_checks"), 1):
        with problems.record():
            g = Reader(raw, f"project {key} gate check #{j}")
            phase = g.phase("phase")
            crit = g.text("criterion_key", 60)
            if not crit:
                raise g.fail("'criterion_key' is empty.")
            if f"{phase}/{crit}" in gates:
                raise g.fail(f"gate criterion {crit!r} appears twice in {phase}.")
            gates[f"{phase}/{crit}"] = GateCheck(
                phase=phase,
                criterion_key=crit,
                text=g.text("text", 2000),
                position=g.int("position"),
                done=g.flag("done"),
                done_by=g.text("done_by", 64, None) or None,
                done_at=g.when("done_at", True),
                note=g.text("note", default=""),
                mandatory=g.flag("mandatory"),
                **g.tracked(),
            )
    bundle.gate_checks = list(gates.values())

    for j, raw in enumerate(r.list("transitions"), 1):
        with problems.record():
            t = Reader(raw, f"project {key} transition #{j}")
            decision = t.text("decision", 20)
            if decision not in {d.value for d in lifecycle.Decision}:
                raise t.fail(f"unknown decision {decision!r}.")
            unmet = t.text("unmet_criteria", default="[]") or "[]"
            try:
                json.loads(unmet)
            except json.JSONDecodeError as exc:
                raise t.fail("'unmet_criteria' is not a JSON list.") from exc
            bundle.transitions.append(
                PhaseTransition(
                    from_phase=t.phase("from_phase"),
                    to_phase=t.phase("to_phase"),
                    by=t.text("by", 64),
                    at=t.when("at"),
                    decision=decision,
                    reason=t.text("reason", default=""),
                    unmet_criteria=unmet,
                    approved_by=t.text("approved_by", 200, ""),
                    conditions=t.text("conditions", default=""),
                )
            )

    risks: dict[str, Risk] = {}
    for j, raw in enumerate(r.list("risks"), 1):
        with problems.record():
            k = Reader(raw, f"project {key} risk #{j}")
            ref = k.text("ref", 12)
            if not ref or ref in risks:
                raise k.fail(f"risk ref {ref!r} is empty or appears twice.")
            values = k.entity(fields.RISK)
            try:
                # Owner/acceptance rules are for edits: a restored file keeps what was saved.
                validate_risk(values, accountable=False)
            except ValidationError as exc:
                raise k.fail(exc.message) from exc
            risks[ref] = Risk(ref=ref, **values, **k.tracked())
            issue_card = k.ref("occurred_card")
            if issue_card is not None:
                if issue_card not in cards:
                    raise k.fail(f"occurred card {issue_card!r} is not in the file.")
                bundle.issue_cards.append((risks[ref], cards[issue_card]))
    bundle.risks = list(risks.values())
    # The next new risk must not reuse a ref from the file (R-007 -> next is R-008).
    numbers = [int(ref[2:]) for ref in risks if ref.startswith("R-") and ref[2:].isdigit()]
    if numbers and max(numbers) > project.risk_seq:
        project.risk_seq = max(numbers)

    interviews: dict[int, InterviewSpec] = {}
    for j, raw in enumerate(r.list("assessments"), 1):
        with problems.record():
            a = Reader(raw, f"project {key} interview #{j}")
            n = a.int("n", 1)
            assert n is not None
            if n in interviews:
                raise a.fail(f"interview number {n} appears twice.")
            milestone = a.ref("milestone_card")
            if milestone is not None and milestone not in cards:
                raise a.fail(f"milestone card {milestone!r} is not in the file.")
            status = a.text("status", 12)
            if status not in ("in_progress", "completed"):
                raise a.fail(f"unknown status {status!r}.")
            lang = a.text("language", 5)
            if lang not in LANGUAGES:
                raise a.fail(f"unknown language {lang!r}.")
            dept = a.text("department", 100)
            if not dept:
                raise a.fail("'department' is empty.")
            started, completed = a.when("started_at"), a.when("completed_at", True)
            assert started is not None
            if completed is not None and completed < started:
                raise a.fail("'completed_at' is before 'started_at'.")
            if (status == "completed") != (completed is not None):
                raise a.fail("a completed interview needs 'completed_at', one in progress none.")
            spec = InterviewSpec(
                Assessment(
                    phase=a.phase("phase", optional=True),
                    department=dept,
                    interviewer=a.text("interviewer", 64),
                    language=lang,
                    status=status,
                    started_at=started,
                    completed_at=completed,
                    **a.tracked(),
                ),
                milestone=cards.get(milestone) if milestone is not None else None,
            )
            interviews[n] = spec
            seen: set[str] = set()
            for m, raw_answer in enumerate(a.list("answers"), 1):
                spec.answers.append(
                    _answer(bank, Reader(raw_answer, f"{a.where} answer #{m}"), seen, cards, risks)
                )
    bundle.interviews = list(interviews.values())

    subjects: dict[str, Mapping[Any, SQLModel]] = {
        "project": {key: project},
        "card": cards,
        "risk": risks,
        "assessment": {n: spec.assessment for n, spec in interviews.items()},
        "gate": gates,
    }
    for j, raw in enumerate(r.list("events"), 1):
        with problems.record():
            e = Reader(raw, f"project {key} event #{j}")
            entity = e.text("entity", 20)
            subject_ref = e.ref("entity_ref")
            changes = e.text("changes", default="{}") or "{}"
            try:
                if not isinstance(json.loads(changes), dict):
                    raise ValueError
            except ValueError as exc:
                raise e.fail("'changes' is not a JSON object.") from exc
            event = AuditEvent(
                at=e.when("at"),
                user=e.text("user", 64),
                entity=entity,
                action=e.text("action", 30),
                summary=e.text("summary", 2000),
                changes=changes,
            )
            subject = subjects.get(entity, {}).get(subject_ref) if subject_ref is not None else None
            bundle.events.append(EventSpec(event, subject))
    return bundle


def _answer(
    bank: pptf.QuestionBank,
    x: Reader,
    seen: set[str],
    cards: Mapping[int, Card],
    risks: Mapping[str, Risk],
) -> AnswerSpec:
    qkey = x.text("question_key", 20)
    try:
        bank.get(qkey)
    except ValidationError as exc:
        raise x.fail(f"unknown question {qkey!r}.") from exc
    if qkey in seen:
        raise x.fail(f"question {qkey} answered twice.")
    seen.add(qkey)
    rating = x.int("rating", 0, 3, optional=True)
    na, unknown = x.flag("na"), x.flag("unknown")
    try:
        pptf.validate_answer(rating, na, unknown)
    except ValidationError as exc:
        raise x.fail(exc.message) from exc
    cc, cr = x.ref("created_card"), x.ref("created_risk")
    if cc is not None and cc not in cards:
        raise x.fail(f"created card {cc!r} is not in the file.")
    if cr is not None and cr not in risks:
        raise x.fail(f"created risk {cr!r} is not in the file.")
    answer = Answer(
        question_key=qkey,
        rating=rating,
        na=na,
        unknown=unknown,
        note=x.text("note", default=""),
        action=x.text("action", default=""),
        **x.tracked(),
    )
    return AnswerSpec(
        answer,
        cards.get(cc) if cc is not None else None,
        risks.get(cr) if cr is not None else None,
    )
