"""Defect inspection of part photos in the chat and as a LangChain tool."""
