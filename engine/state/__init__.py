"""Columnar cluster state: nodes, pods, scheduling classes and spread/affinity counters as arrays.

Every array is documented where it is defined (shape, dtype, meaning) and summarised in
``docs/architecture.md``. Python code here prepares and updates arrays; the Numba kernels in
``engine.scheduler`` read them.
"""
