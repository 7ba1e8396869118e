"""What the assistant can do, one folder each; every capability serves a chat message, an
upload and a LangChain tool.
"""
