"""Intent classification and the router that dispatches to the capabilities."""
