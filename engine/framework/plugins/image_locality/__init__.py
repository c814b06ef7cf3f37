"""ImageLocality: favours nodes that already hold the pod's container images."""

NAME = "ImageLocality"
