"""The sample plant knowledge base and the script that builds it."""
