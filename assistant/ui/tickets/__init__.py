"""The ticket queue in the chat's Customer service profile: how it looks and its buttons."""
