"""Answering from the documents: the chain, its backends, grounding and answerability."""
