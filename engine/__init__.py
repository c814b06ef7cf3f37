"""podbench engine: columnar cluster state, scheduler plugins (reference and Numba kernels), simulator."""

__version__ = "0.1.0"
