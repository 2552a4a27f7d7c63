"""What Meta said of each WhatsApp template, in this process (stores/template_states.py)."""

from __future__ import annotations

from framework.stores.template_states import TemplateNews, TemplateState, check_name, noted

__all__ = ["MemoryTemplateStates"]


class MemoryTemplateStates:
    def __init__(self) -> None:
        self._states: dict[str, dict[str, TemplateState]] = {}
        """Template name -> its language's code -> its state."""

    async def note(self, news: TemplateNews) -> TemplateState:
        news = news.checked()
        languages = self._states.setdefault(news.name, {})
        languages[news.language] = noted(languages.get(news.language), news)
        return languages[news.language]

    async def of_template(self, name: str) -> dict[str, TemplateState]:
        return dict(self._states.get(check_name(name), {}))

    async def close(self) -> None:
        return None
