"""The discrete-event simulator: a cluster moving through time on the columnar state.

``core`` is the Numba event loop (arrivals, scheduling queue, cycles, preemption, lifecycle);
``simulator`` is the Python driver (scenario setup, node events, components, trace flushing);
``trace`` writes the Arrow event trace.
"""
