"""The command line: the command table (lazy imports, so `--help` loads no solver stack) and
`main`."""
