"""``python -m translate`` == the ``translate`` command."""

from .cli import main

main()
