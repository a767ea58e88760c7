"""Benchmarks that run against a loaded PostgreSQL database (see bench/README.md)."""
