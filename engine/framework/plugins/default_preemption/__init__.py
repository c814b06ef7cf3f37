"""DefaultPreemption: PostFilter that evicts lower-priority pods to make room."""

NAME = "DefaultPreemption"
