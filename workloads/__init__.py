"""Workload inputs: Kubernetes manifest loading, generators, trace readers, example scenarios."""
