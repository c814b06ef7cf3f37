"""podbench benchmarks: suites, runners, result store, and the ``podbench`` CLI."""
