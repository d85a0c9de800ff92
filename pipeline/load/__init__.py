"""Load: maps a verified record's field values to the registry's act and person rows (pure)."""
