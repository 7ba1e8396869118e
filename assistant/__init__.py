"""Plant Assistant: the chat front end, its services, settings and CLI."""
