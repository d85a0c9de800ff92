"""Service functions shared by the CLI, the web app and the flows: each one job over the databases."""
