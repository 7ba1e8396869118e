"""Statistical process control in the chat and as a LangChain tool."""
