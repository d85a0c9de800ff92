"""Quality assurance: thresholds and the accept-or-review decision for fields, rules across a record's fields,
checks across a book, matching of first and second copies, and the audit sample."""
