"""Registry helpers without a database: search keys of names and references parsed from later marks."""
