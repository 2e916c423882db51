"""`python -m sandan.cli` runs the same command line as `sandan`."""

from sandan.cli import main

main()
