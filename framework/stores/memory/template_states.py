"""What Meta said of each WhatsApp template and business number, in this process
(stores/template_states.py, stores/number_states.py)."""

from __future__ import annotations

from framework.stores.number_states import NumberNews, NumberState, check_number, noted_number
from framework.stores.template_states import TemplateNews, TemplateState, check_name, noted

__all__ = ["MemoryTemplateStates"]


class MemoryTemplateStates:
    def __init__(self) -> None:
        self._states: dict[str, dict[str, TemplateState]] = {}
        """Template name -> its language's code -> its state."""
        self._numbers: dict[str, NumberState] = {}

    async def note(self, news: TemplateNews) -> TemplateState:
        news = news.checked()
        languages = self._states.setdefault(news.name, {})
        languages[news.language] = noted(languages.get(news.language), news)
        return languages[news.language]

    async def of_template(self, name: str) -> dict[str, TemplateState]:
        return dict(self._states.get(check_name(name), {}))

    async def note_number(self, news: NumberNews) -> NumberState:
        news = news.checked()
        self._numbers[news.number] = noted_number(self._numbers.get(news.number), news)
        return self._numbers[news.number]

    async def of_number(self, number: str) -> NumberState | None:
        return self._numbers.get(check_number(number))

    async def close(self) -> None:
        return None
