"""Governed project decisions from the board: phase gates, hold/resume, kill, closure.

Kept apart from the board's card handling: a project card in portfolio scope (or the
open project in project scope) goes through its gate with conditions, an approver and
a reason; mandatory criteria can never be overridden.
"""

from __future__ import annotations

from textual.content import Content

from ecpm_tui import lifecycle
from ecpm_tui.errors import EcpmError, GateBlocked, ValidationError
from ecpm_tui.models import PhaseTransition, Project
from ecpm_tui.screens.base import EcpmScreen
from ecpm_tui.screens.confirm import ConfirmScreen
from ecpm_tui.screens.reason import Reason, ReasonScreen
from ecpm_tui.screens.transition import TransitionChoice, TransitionScreen
from ecpm_tui.text import clean, one_line


class BoardGovernance(EcpmScreen):
    """Gate transitions and hold/resume/kill decisions (mixed into the board)."""

    def decision_project(self) -> Project | None:
        """The project a decision applies to (the selected one in portfolio scope)."""
        raise NotImplementedError

    def transition(self, project: Project, step: int) -> None:
        """Move *project* one phase forward or back through its gate (``L`` on Closure
        passes the Closure gate and closes the project)."""
        pid, version = project.id, project.version
        assert pid is not None
        current = lifecycle.Phase(project.phase)
        target = lifecycle.next_phase(current) if step > 0 else lifecycle.previous_phase(current)
        closing = target is None and step > 0
        if closing:
            target = lifecycle.Phase.CLOSURE
        if target is None:
            self.notify(f"{clean(project.key)} is already in {current.label}.")
            return
        goal = target
        key = clean(project.key)

        def done(t: PhaseTransition) -> None:
            what = (
                "closed"
                if closing
                else (
                    f"{lifecycle.label_of(lifecycle.Decision, t.decision).lower()} to {goal.label}"
                )
            )
            self.notify(f"{key}: {what}")

        def with_choice(choice: TransitionChoice | None) -> None:
            if choice is not None:
                self.perform(
                    lambda: self.store.transition_project(
                        pid,
                        goal,
                        choice.reason,
                        version,
                        conditions=choice.conditions,
                        approved_by=choice.approver or None,
                    ),
                    done,
                )

        def dialog(unmet: list[str], mandatory: list[str]) -> None:
            self.app.push_screen(
                TransitionScreen(
                    project.key,
                    current,
                    goal,
                    unmet,
                    mandatory=mandatory,
                    sponsor=project.sponsor,
                    today=self.store.today(),
                ),
                with_choice,
            )

        def failed(error: EcpmError) -> bool:
            if isinstance(error, GateBlocked):
                dialog(error.unmet, error.mandatory)
                return True
            if isinstance(error, ValidationError) and "reason" in error.errors:
                dialog([], [])
                return True
            return False

        def attempt() -> None:
            self.perform(
                lambda: self.store.transition_project(pid, goal, None, version), done, failed
            )

        if closing:
            self.app.push_screen(
                ConfirmScreen(
                    Content(f"Pass the Closure gate and close {key}? Its board becomes read-only."),
                    "Close project",
                ),
                lambda yes: attempt() if yes else None,
            )
        else:
            attempt()

    def action_hold(self) -> None:
        """Put the project on hold, or resume it when it is on hold."""
        project = self.decision_project()
        if project is None or project.id is None:
            return
        on_hold = project.state == lifecycle.ProjectState.ON_HOLD.value
        decision = lifecycle.Decision.RESUME if on_hold else lifecycle.Decision.HOLD
        self._decide(project, decision, "Resume" if on_hold else "Put on hold")

    def action_kill(self) -> None:
        """Cancel (kill) the project with a reason; it is read-only afterwards."""
        project = self.decision_project()
        if project is None or project.id is None:
            return
        self._decide(project, lifecycle.Decision.KILL, "Kill")

    def _decide(self, project: Project, decision: lifecycle.Decision, verb: str) -> None:
        pid, version, key = project.id, project.version, clean(project.key)
        assert pid is not None
        warning = " It becomes read-only." if decision is lifecycle.Decision.KILL else ""

        def answered(result: Reason | None) -> None:
            if result is not None:
                self.perform(
                    lambda: self.store.decide_project(
                        pid, decision, result.reason, version, result.approver or None
                    ),
                    lambda _t: self.notify(f"{key}: {decision.label}"),
                )

        self.app.push_screen(
            ReasonScreen(
                Content(f"{verb} project {key} {one_line(project.name, 50)}?{warning}"),
                verb,
                approver=project.sponsor,
            ),
            answered,
        )
