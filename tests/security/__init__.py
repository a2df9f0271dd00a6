"""Threat-model tests: each file reproduces an attack that once worked and must keep failing."""
