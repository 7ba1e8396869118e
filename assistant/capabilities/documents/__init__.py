"""Answers from the plant documents, and passages the tools quote."""
