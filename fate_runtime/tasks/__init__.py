"""Task processes: the zygote that forks them, the launcher and manager on the node, the executor in each task."""
