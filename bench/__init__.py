"""`make bench`, the load benchmark: bench/README.md. Run it as `python -m bench.run`."""
