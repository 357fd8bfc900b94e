"""The status report as one self-contained HTML file: inline CSS, no scripts, no links out.

Every piece of user text goes through :func:`html.escape`, so a card titled
``<script>`` stays text in the sponsor's browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

from ecpm_tui import pptf, risk
from ecpm_tui.report import Report, decision_label, pct, phase_label
from ecpm_tui.store import CardRow, ProjectSummary

CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em}
th{background:#f2f2f2;text-align:left}td.n{text-align:right}pre{background:#f7f7f7;padding:.5em}
.green{color:#1a7f37}.amber{color:#9a6700}.red{color:#cf222e}
"""


def e(value: object) -> str:
    """Escaped text (quotes too, so it is safe in attributes as well)."""
    return escape(str(value), quote=True)


def table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: int = 0) -> str:
    """An HTML table; cells are already escaped; the last *numeric* columns align right."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = []
    for row in rows:
        first = len(row) - numeric
        cells = "".join(
            f'<td class="n">{c}</td>' if i >= first else f"<td>{c}</td>" for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def section(ident: str, title: str, body: str) -> str:
    """One report section with a stable id (what tests and readers jump to)."""
    return f'<section id="{ident}"><h2>{e(title)}</h2>{body}</section>'


def _cards(cards: list[CardRow]) -> str:
    if not cards:
        return "<p>None.</p>"
    return table(
        ("Card", "Phase", "Assignee", "Due", "Blocked reason"),
        (
            (
                f"#{c.id} {e(c.title)}",
                e(phase_label(c.phase)),
                e(c.assignee or "-"),
                e(c.due_date or "-"),
                e(c.blocked_reason or "-"),
            )
            for c in cards
        ),
    )


def _rag(value: str) -> str:
    return f'<strong class="{e(value)}">{e(value)}</strong>'


def html_report(r: Report) -> str:
    """The status report as a complete HTML document."""
    p = r.project
    met = sum(1 for c in r.gate.checks if c.done)
    checks = "".join(
        f"<li>{'&#9745;' if c.done else '&#9744;'} {e(c.text)}"
        f"{' (mandatory)' if c.mandatory else ''}</li>"
        for c in r.gate.checks
    )
    conditions = (
        "<p>Open conditions:</p><ul>"
        + "".join(
            f"<li>{e(t)} (owner {e(o or '-')}, due {e(d)})</li>" for t, o, d in r.open_conditions
        )
        + "</ul>"
        if r.open_conditions
        else "<p>No open conditions.</p>"
    )
    note = f" ({e(p.health_note)})" if p.health_note else ""
    reasons = "".join(f"<li>{e(x)}</li>" for x in r.suggested.reasons)
    progress = table(
        ("Phase", "Done", "Total", "%"),
        (
            (e(label), str(done), str(total), pct(100 * done / total if total else None))
            for label, done, total in r.progress
        ),
        numeric=3,
    )
    done = "".join(
        f"<li>#{c.id} {e(c.title)} ({e(phase_label(c.phase))})</li>" for c in r.done_since
    )
    risks = (
        table(
            ("Level", "Risk", "Owner", "Next review"),
            (
                (
                    e(risk.level(x.likelihood, x.impact).value),
                    f"{e(x.ref)} {e(x.title)}",
                    e(x.owner or "-"),
                    e(x.next_review_date or "-"),
                )
                for x in r.top_risks
            ),
        )
        if r.top_risks
        else "<p>No open threats.</p>"
    )
    teams = (
        table(
            ("Team", "Phase", *(d.label for d in pptf.Dimension), "Overall"),
            (
                (
                    e(t.team),
                    e(phase_label(t.phase) or "-"),
                    *(pct(t.scores.get(d)) for d in pptf.Dimension),
                    pct(t.overall),
                )
                for t in r.teams
            ),
            numeric=5,
        )
        + "".join(
            f"<p>Gaps of {e(t.team)}:</p><ul>"
            + "".join(f"<li>{e(g)}</li>" for g in t.gaps)
            + "</ul>"
            for t in r.teams
            if t.gaps
        )
        if r.teams
        else "<p>No completed interviews.</p>"
    )
    transitions = (
        "<ul>"
        + "".join(
            f"<li>{t.at.date().isoformat()} {e(phase_label(t.from_phase))} &rarr; "
            f"{e(phase_label(t.to_phase))}: {e(decision_label(t.decision))} by {e(t.by)}"
            + (f" ({e(t.reason)})" if t.reason else "")
            + "</li>"
            for t in r.transitions
        )
        + "</ul>"
        if r.transitions
        else "<p>None recorded.</p>"
    )
    title = f"Status report: {p.key} {p.name}"
    body = [
        f"<h1>{e(title)}</h1>",
        f"<p>Date: {r.today.isoformat()} &middot; covering {r.since.isoformat()} to "
        f"{r.today.isoformat()}<br>Sponsor: {e(p.sponsor or '-')} &middot; Manager: "
        f"{e(p.manager or '-')} &middot; State: {e(p.state)} &middot; Target: "
        f"{e(p.target_date or '-')}</p>",
        section(
            "gate",
            "Phase and gate",
            f"<p>Phase: <strong>{e(phase_label(p.phase))}</strong> &middot; gate criteria met "
            f"{met} of {len(r.gate.checks)}</p><ul>{checks}</ul>{conditions}",
        ),
        section(
            "health",
            "Health",
            f"<p>Manual: {_rag(p.health)}{note}<br>Suggested: "
            f"{_rag(r.suggested.health.value)}</p><ul>{reasons}</ul>",
        ),
        section("progress", "Progress per phase", progress),
        section(
            "done",
            f"Cards done since {r.since.isoformat()}",
            f"<ul>{done}</ul>" if done else "<p>None.</p>",
        ),
        section("overdue", "Overdue cards", _cards(r.overdue)),
        section("blocked", "Blocked cards", _cards(r.blocked)),
        section(
            "risks",
            "Risks",
            "<p>Open threats by likelihood and impact:</p>"
            f"<pre>{e(risk.text_grid(r.matrix))}</pre>{risks}",
        ),
        section("pptf", "PPTF readiness", teams),
        section("transitions", "Recent transitions and decisions", transitions),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def portfolio_html(summaries: Sequence[ProjectSummary], today: date) -> str:
    """The portfolio (one row per project) as a complete HTML document."""
    rows = (
        (
            f"{e(s.project.key)} {e(s.project.name)}",
            e(phase_label(s.project.phase)),
            _rag(s.project.health),
            _rag(s.suggested.health.value) if s.suggested else "-",
            pct(s.progress),
            f"{s.extreme_risks}/{s.high_risks}",
            str(s.overdue),
            pct(s.readiness),
        )
        for s in summaries
    )
    header = ("Project", "Phase", "Health", "Suggested", "Done", "Extreme/High", "Overdue", "PPTF")
    title = f"Portfolio report {today.isoformat()}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{e(title)}</h1>"
        + section("portfolio", "Projects", table(header, rows, numeric=4))
        + "</body></html>\n"
    )
