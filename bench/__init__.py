"""Benchmarks: scripts that start real servers on 127.0.0.1 and print figures.

Run them from the repository root as modules, e.g. `python -m bench.proxy_load`.
"""
