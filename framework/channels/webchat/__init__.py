"""The web chat page: a page per bot and a WebSocket carrying the conversation."""

from framework.channels.webchat.handlers import chat_page, chat_socket, close_sockets, picker_page

__all__ = ["chat_page", "chat_socket", "close_sockets", "picker_page"]
