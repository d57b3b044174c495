"""Benchmarks of Demarche over real HTTP; see docs/benchmarks.md."""
