"""Documents an admin adds in the chat."""
