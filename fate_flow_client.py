#!/usr/bin/env python3
"""FATE-Flow's command-line client as the seed runs it: `python fate_flow_client.py -f FUNCTION ...`."""

import sys

from flow_api.cli import main

if __name__ == "__main__":
    sys.exit(main())
