"""`python -m bench`: run every benchmark and print the table."""

import sys

print("No benchmarks yet.", file=sys.stderr)
