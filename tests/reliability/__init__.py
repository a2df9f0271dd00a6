"""Reliability tests: concurrency, interruption, leftovers and malformed input that must not lose data."""
