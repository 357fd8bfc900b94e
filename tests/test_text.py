"""User text is shown literally: no markup, no actions, no terminal escapes, no crashes."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Label, Static

from ecpm_tui.screens.base import safe
from ecpm_tui.text import clean, one_line

HOSTILE: dict[str, tuple[str, str]] = {
    # name: (input, expected clean text)
    "close_tag": ("[/]", "[/]"),
    "click_action": ("[@click=app.quit]", "[@click=app.quit]"),
    "click_action_text": ("[@click=app.quit]press me[/]", "[@click=app.quit]press me[/]"),
    "bold_markup": ("[bold]x[/bold]", "[bold]x[/bold]"),
    "nested": ("[[b]]x[/b]]", "[[b]]x[/b]]"),
    "osc_title": ("a\x1b]0;X\x07b", "ab"),
    "osc_st": ("a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
    "csi_clear": ("\x1b[2Jtext", "text"),
    "csi_colour": ("\x1b[31mred\x1b[0m", "red"),
    "nul": ("a\x00b", "ab"),
    "bell_del_c1": ("a\x07b\x7fc\x85d\x9ce", "abcde"),
    "c1_csi": ("\x9b31mred\x9b0m", "red"),
    "emoji": ("🛒🚀", "🛒🚀"),
    "rtl": ("עברית العربية", "עברית العربية"),
}


# -- clean / one_line / safe ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_clean_output(name: str) -> None:
    raw, expected = HOSTILE[name]
    assert clean(raw) == expected


def test_clean_keeps_newlines_and_tabs_and_normalises_cr() -> None:
    assert clean("a\nb\tc") == "a\nb\tc"
    assert clean("a\r\nb\rc") == "a\nb\nc"


def test_clean_removes_every_control_character() -> None:
    every = "".join(chr(i) for i in range(0x00, 0xA0))
    out = clean(every)
    # Tab and newline stay; the carriage return (0x0D) becomes a newline.
    assert out == "\t\n\n" + "".join(chr(i) for i in range(0x20, 0x7F))
    assert clean("x\u2028y\u2029z") == "xyz"


def test_clean_removes_bidi_overrides_and_isolates() -> None:
    # "Trojan source": an override makes "evil" display reversed; every one goes.
    controls = "".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
    assert clean(f"pay{controls}\u202elive\u202c") == "paylive"
    # Letters of right-to-left scripts are text, not controls, and stay.
    assert clean("שלום abc") == "שלום abc"


def test_clean_non_strings_and_none() -> None:
    assert clean(None) == ""
    assert clean(42) == "42"
    assert clean(3.5) == "3.5"


def test_clean_truncates_with_ellipsis() -> None:
    assert clean("abcdef", 4) == "abc…"
    assert len(clean("abcdef", 4)) == 4
    assert clean("abcd", 4) == "abcd"
    assert clean("abcdef", 1) == "…"
    assert clean("abcdef", 0) == ""
    # Length counts after cleaning.
    assert clean("\x1b[31mabcd\x1b[0m", 4) == "abcd"


def test_clean_long_string() -> None:
    big = "x" * 100_000
    assert clean(big) == big
    assert clean(big, 50) == "x" * 49 + "…"


def test_unterminated_osc_is_dropped_to_the_end() -> None:
    # An unterminated OSC would swallow the rest of the line in a terminal: drop it all.
    assert clean("ok\x1b]0;title without end") == "ok"
    assert "\x1b" not in clean("a\x1b[b\x1bc")


def test_one_line() -> None:
    assert one_line("a\nb\tc\r\nd") == "a b c d"
    assert one_line("  many   spaces\n\n") == "many spaces"
    assert one_line("line one\nline two", 10) == "line one …"
    assert len(one_line("line one\nline two", 10)) == 10
    assert one_line(None) == ""


def test_safe_returns_literal_content() -> None:
    for raw, expected in HOSTILE.values():
        content = safe(raw)
        assert isinstance(content, Content)
        assert content.plain == expected
        assert content.spans == []  # nothing parsed as style or action
    assert safe("a\nb", single_line=True).plain == "a b"
    assert safe("abcdef", 3).plain == "ab…"
    # The markup form would have parsed it; safe must not.
    assert Content.from_markup("[bold]x[/bold]").plain == "x"
    assert safe("[bold]x[/bold]").plain == "[bold]x[/bold]"


# -- real Textual app -----------------------------------------------------------------------


def rendered_text(widget: Widget) -> str:
    """What the widget actually paints, one string per line, trailing padding removed."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in lines)


class ShowcaseApp(App[str]):
    """Every hostile value in a Label and a Static."""

    def compose(self) -> ComposeResult:
        for name, (raw, _expected) in HOSTILE.items():
            yield Label(safe(raw), id=f"label-{name}")
            yield Static(safe(raw), id=f"static-{name}")
        yield Static(safe("y" * 100_000), id="static-big")
        yield Label(safe("z" * 100_000, single_line=True), id="label-big")


def test_hostile_values_render_literally_in_a_real_app() -> None:
    async def run() -> None:
        app = ShowcaseApp()
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            for name, (_raw, expected) in HOSTILE.items():
                for kind in ("label", "static"):
                    widget = app.query_one(f"#{kind}-{name}", Static)
                    assert str(widget.visual) == expected, (kind, name)
                    assert rendered_text(widget) == expected, (kind, name)
            big = app.query_one("#static-big", Static)
            assert str(big.visual) == "y" * 100_000
            assert big.size.height >= 100_000 // 100
            assert rendered_text(big).replace("\n", "") == "y" * 100_000
            label_big = app.query_one("#label-big", Label)
            assert str(label_big.visual) == "z" * 100_000
            # Whole screen renders (compositor and SVG export) without errors.
            svg = app.export_screenshot()
            assert "\x1b" not in svg
            # Clicking the would-be action does nothing: the app keeps running.
            await pilot.click("#label-click_action")
            await pilot.click("#static-click_action_text")
            await pilot.pause()
            assert app.is_running
            assert app.return_code is None
            app.exit("still here")
        assert app.return_value == "still here"

    asyncio.run(run())


class MarkupControlApp(App[None]):
    """Control case: a plain string with markup in a Label does become a live action."""

    def compose(self) -> ComposeResult:
        yield Label("[@click=app.quit]press me[/]", id="live")


def test_control_case_markup_would_be_live() -> None:
    # Proves the click check above can fail: unsafe text quits the app when clicked.
    async def run() -> bool:
        app = MarkupControlApp()
        async with app.run_test(size=(40, 5)) as pilot:
            await pilot.pause()
            await pilot.click("#live")
            await pilot.pause()
            return app.is_running

    assert asyncio.run(run()) is False
