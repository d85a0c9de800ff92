"""Quality assurance: thresholds and the accept-or-review decision for recognised fields and records."""
