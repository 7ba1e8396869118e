"""The Chainlit side of the chat: imported by `assistant/app.py` only."""
