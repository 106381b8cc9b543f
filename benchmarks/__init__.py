"""Benchmarks and evaluation tooling for TransitWatch (not part of the installed package)."""
