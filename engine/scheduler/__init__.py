"""The Numba scheduler: one kube-scheduler cycle over columnar state, bind/unbind, batches.

``codes`` numbers plugins and reasons for kernels; ``cycle`` is the scheduling cycle kernel;
``bind`` keeps node totals and spread/affinity counters current; ``batch`` places many pods in
one kernel call; ``scheduler`` is the Python facade (explain, place).
"""
