"""Machine failure risk in the chat and as a LangChain tool."""
