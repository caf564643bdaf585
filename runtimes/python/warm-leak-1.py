# The first of two runs in one warm session: it leaves state behind in every way a program can, for
# warm-leak-2.py to look for. Nothing of it may be visible in the next run.
import builtins
import json
import os
import sys

leaked_global = "run 1"
os.environ["CODEBEAKER_LEAK"] = "run 1"
builtins.codebeaker_leak = "run 1"
sys.codebeaker_leak = "run 1"
sys.path.append("/tmp/codebeaker-leak")
sys.setrecursionlimit(4321)
json.codebeaker_leak = "run 1"
print("set")
