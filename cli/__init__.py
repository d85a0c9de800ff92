"""The `archive` command line: thin adapters that parse options, call services and print results."""
