"""Benchmarks and the data generator; see bench/generate.py."""
