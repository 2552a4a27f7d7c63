"""The components of an approved template's send, in the Cloud API's format (reference §2.1
"Template with parameters"): the header, the body, then a component per button with its index
in the template as a string ("0", "1", …); only those the template has.

    {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://…"}}]}
    {"type": "body", "parameters": [{"type": "text", "text": "20 %"}]}
    {"type": "button", "sub_type": "quick_reply", "index": "0",
     "parameters": [{"type": "payload", "payload": "OFFER_YES"}]}
    {"type": "button", "sub_type": "url", "index": "1",
     "parameters": [{"type": "text", "text": "A12345"}]}

Every text parameter is one line (Meta refuses newlines and tabs in template parameters) and
shortened to its limit. Header and buttons come as WhatsAppTemplate.filled makes them
(framework/stores/whatsapp_templates.py); what has another shape is left out rather than sent
into Meta's refusal. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["template_components"]

Json = dict[str, Any]

_BODY = 1024
"""A body parameter at most, in characters."""
_HEADER_TEXT = 60
"""A text header at most, in characters (Meta counts the header's own words too)."""
_URL_SUFFIX = 2000
_MEDIA = ("image", "video", "document")
_ELLIPSIS = "…"


def template_components(
    body: Iterable[str],
    header: Mapping[str, Any] | None = None,
    buttons: Iterable[Any] = (),
) -> list[Json]:
    """The components of a template send: header, body, buttons, each only when it has
    parameters ([]: the template goes without components)."""
    components = [_header(header)] if isinstance(header, Mapping) else []
    parameters = [_text(text, _BODY) for text in body]
    if parameters:
        components.append({"type": "body", "parameters": parameters})
    components += [
        _button(button, index)
        for index, button in enumerate(buttons)
        if isinstance(button, Mapping)
    ]
    return [component for component in components if component]


def _header(header: Mapping[str, Any]) -> Json:
    kind = header.get("type")
    if kind == "text":
        parameter = _text(str(header.get("text", "")), _HEADER_TEXT)
    elif kind in _MEDIA and header.get("link"):
        media = {"link": str(header["link"])}
        if kind == "document" and header.get("filename"):
            media["filename"] = str(header["filename"])
        parameter = {"type": kind, kind: media}
    else:
        return {}
    return {"type": "header", "parameters": [parameter]}


def _button(button: Mapping[str, Any], index: int) -> Json:
    kind = button.get("type")
    if kind == "quick_reply":
        parameter = {"type": "payload", "payload": str(button.get("payload", ""))}
    elif kind == "url":
        parameter = _text(str(button.get("text", "")), _URL_SUFFIX)
    else:
        return {}
    return {"type": "button", "sub_type": kind, "index": str(index), "parameters": [parameter]}


def _text(text: str, limit: int) -> Json:
    """A text parameter: one line, "…" for nothing, shortened to `limit`."""
    line = " ".join(text.split()) or _ELLIPSIS
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + _ELLIPSIS
    return {"type": "text", "text": line}
