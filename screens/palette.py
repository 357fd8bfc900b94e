"""Command palette provider: every binding of the current screen is a command."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ecpm_tui.screens.help import binding_rows


class EcpmCommands(Provider):
    """Offer each action bound on the current screen (and globally) by its description."""

    def _commands(self) -> list[tuple[str, str, str, object]]:
        rows = []
        for key, description, action, node in binding_rows(self.screen.active_bindings):
            rows.append((f"{description}", f"key {key}", action, node))
        return rows

    async def _run(self, action: str, node: object) -> None:
        await self.app.run_action(action, node)  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        for title, help_text, action, node in self._commands():
            yield DiscoveryHit(title, partial(self._run, action, node), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action, node in self._commands():
            score = matcher.match(f"{title} {help_text}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self._run, action, node),
                    help=help_text,
                )
