"""Benchmarks whose results go into docs/benchmarks.md."""
