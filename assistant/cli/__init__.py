"""The `plant` command line, one module per command group."""
