"""Clients for the outside services expertloop talks to (today: a model's chat endpoint).

A sibling of ``store`` in the layers: ``services`` call it, and it imports only ``core``.
"""

from expertloop.connectors.chat import ChatConnector, ChatMessage, ChatReply
from expertloop.connectors.protocol import chat_url

__all__ = ["ChatConnector", "ChatMessage", "ChatReply", "chat_url"]
