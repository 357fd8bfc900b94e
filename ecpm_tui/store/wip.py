"""Board column settings (WIP limits, aging thresholds) and the guards card writes share.

A column's WIP counts its cards that are not done: finished work no longer takes the
team's capacity. Moving or creating a card into a full column is refused with
:class:`WipLimitReached` unless the caller confirms (``force``), and the override is
audited in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ecpm_tui import fields, lifecycle
from ecpm_tui.errors import NotFound, ValidationError, WipLimitReached
from ecpm_tui.models import Card, PhaseSetting, Project
from ecpm_tui.store.base import StoreBase, changes, reads, writes
from ecpm_tui.store.rows import ColumnSetting

SETTING: dict[str, fields.Spec] = {
    "wip_limit": fields.Spec(fields.int_range(1, 10_000, optional=True)),
    "age_limit_days": fields.Spec(fields.int_range(1, 3650, optional=True)),
}


def ensure_writable(s: Session, project_id: int) -> Project:
    """The project, unless it is killed or closed (its board is then a read-only record)."""
    project = s.get(Project, project_id)
    if project is None:
        raise NotFound(f"Project {project_id} does not exist (it may have been deleted).")
    refuse_read_only(project.key, project.state)
    return project


def refuse_read_only(key: str, state_value: str) -> None:
    """ValidationError when a project in *state_value* is killed or closed."""
    state = lifecycle.ProjectState(state_value)
    if state.read_only:
        raise ValidationError(f"Project {key} is {state.label.lower()}: its board is read-only.")


def wip_count_query(project_id: Any, phase: Any) -> Any:
    """SELECT of how many cards of a column are not done (*project_id* and *phase*:
    values, bound parameters or columns)."""
    return select(func.count()).where(
        Card.project_id == project_id, Card.phase == phase, Card.status != "done"
    )


def wip_count(s: Session, project_id: int, phase: str) -> int:
    """Cards in a column that are not done."""
    return int(s.exec(wip_count_query(project_id, phase)).scalar_one())


def wip_limit_query(project_id: Any, phase: Any) -> Any:
    """SELECT of a column's WIP limit (arguments as for :func:`wip_count_query`)."""
    return select(PhaseSetting.wip_limit).where(
        PhaseSetting.project_id == project_id, PhaseSetting.phase == phase
    )


def wip_limit(s: Session, project_id: int, phase: str) -> int | None:
    """The WIP limit of a column, or None."""
    return s.exec(wip_limit_query(project_id, phase)).scalars().first()


def check_wip(s: Session, project_id: int, phase: str, force: bool) -> str | None:
    """None when the column has room; with *force* the ``"count/limit"`` being overridden;
    otherwise WipLimitReached."""
    limit = wip_limit(s, project_id, phase)
    if limit is None:
        return None
    return wip_verdict(phase, wip_count(s, project_id, phase), limit, force)


def wip_verdict(phase: str, count: int, limit: int, force: bool) -> str | None:
    """:func:`check_wip` once the column's *count* and *limit* are known."""
    if count < limit:
        return None
    label = lifecycle.Phase(phase).label
    if not force:
        raise WipLimitReached(
            f"{label} is at its WIP limit ({count}/{limit}); confirm to go over it."
        )
    return f"{count + 1}/{limit}"


def read_settings(s: Session, project_id: int) -> dict[str, ColumnSetting]:
    """Every phase's WIP limit and aging threshold (defaults where none is set)."""
    saved = {
        row.phase: row
        for row in s.exec(
            select(PhaseSetting).where(PhaseSetting.project_id == project_id)
        ).scalars()
    }
    out: dict[str, ColumnSetting] = {}
    for phase in lifecycle.PHASES:
        row = saved.get(phase.value)
        default_age = lifecycle.DEFAULT_AGE_LIMIT_DAYS[phase]
        out[phase.value] = ColumnSetting(
            phase.value,
            row.wip_limit if row else None,
            (row.age_limit_days or default_age) if row else default_age,
            row.version if row else None,
        )
    return out


class WipOps(StoreBase):
    """Column settings of a project's board."""

    @reads
    def column_settings(self, s: Session, project_id: int) -> dict[str, ColumnSetting]:
        """Every phase's WIP limit and aging threshold (defaults where none is set)."""
        return read_settings(s, project_id)

    @writes
    def set_column_setting(
        self,
        s: Session,
        project_id: int,
        phase: lifecycle.Phase | str,
        values: dict[str, str | int | None],
        expected_version: int | None = None,
    ) -> ColumnSetting:
        """Set a column's WIP limit and/or aging threshold (blank: no limit / default)."""
        ph = lifecycle.parse_phase(phase)
        data = fields.coerce(SETTING, values, partial=True)
        project = ensure_writable(s, project_id)
        row = (
            s.exec(
                select(PhaseSetting)
                .where(PhaseSetting.project_id == project_id, PhaseSetting.phase == ph.value)
                .with_for_update()
            )
            .scalars()
            .first()
        )
        if row is None:
            row = PhaseSetting(project_id=project_id, phase=ph.value, **self.stamp())
            s.add(row)
            diff = {k: [None, v] for k, v in data.items() if v is not None}
        else:
            self.check_version(s, row, expected_version, f"{ph.label} column settings")
            diff = changes(row, data)
            self.touch(row)
        for k, v in data.items():
            setattr(row, k, v)
        s.flush()
        if diff:
            self.audit(
                s,
                "column",
                row.id,
                project_id,
                "settings",
                f"{project.key} {ph.label} column: "
                + ", ".join(f"{k} {v[1] if v[1] is not None else 'none'}" for k, v in diff.items()),
                diff,
            )
        age = row.age_limit_days or lifecycle.DEFAULT_AGE_LIMIT_DAYS[ph]
        return ColumnSetting(ph.value, row.wip_limit, age, row.version)
