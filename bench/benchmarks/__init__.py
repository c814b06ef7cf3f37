"""pytest-benchmark benchmarks of the kernels (``make bench``; not part of ``make test``)."""
