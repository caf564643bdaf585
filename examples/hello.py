"""A first program for CodeBeaker: prints, reads what you type, and reports how long it took."""
import platform
import sys
import time

started = time.perf_counter()
print(f"Hello from Python {platform.python_version()} in a sandbox.")
print("Type your name and press Enter (Ctrl-D to skip):", flush=True)
name = sys.stdin.readline().strip() or "stranger"
print(f"Nice to meet you, {name}. {sum(i * i for i in range(100_000))} is the sum of the first 100,000 squares.")
print(f"That took {1000 * (time.perf_counter() - started):.1f} ms inside the sandbox.")
