"""A city's asset ledger into the registry: read, map columns, check rows, write all or none."""
