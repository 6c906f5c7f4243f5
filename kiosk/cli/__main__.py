"""`python -m kiosk.cli`: the `kiosk` command without the installed script."""

from .main import main

main()
