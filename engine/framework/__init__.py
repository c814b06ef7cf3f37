"""The scheduling framework: plugin registry, profiles, statuses, and the plugins themselves.

Each plugin lives in ``plugins/<name>/`` as in upstream's ``framework/plugins/<name>/``: its
arguments (``args.py``), its plain-Python reference rules (``reference.py``) and, where it runs
on the hot path, its Numba kernel functions (``kernel.py``).
"""
