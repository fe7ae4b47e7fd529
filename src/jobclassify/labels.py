"""The four labels (see LABELS.md in the project documentation)."""

LABELS: tuple[str, ...] = ("cloud", "devops", "hybrid", "other")
"""All labels, in the sorted order used for probability columns."""
