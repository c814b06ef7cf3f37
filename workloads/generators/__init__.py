"""Synthetic workload generators (placement benchmark cluster and pod streams)."""
