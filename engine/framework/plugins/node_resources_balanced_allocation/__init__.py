"""NodeResourcesBalancedAllocation: favours nodes whose resource fractions stay balanced."""

NAME = "NodeResourcesBalancedAllocation"
