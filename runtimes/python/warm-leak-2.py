# The second of two runs in one warm session: prints exactly `clean` when nothing warm-leak-1.py left is
# visible, else what leaked.
import builtins
import os
import sys

leaks = []
if "leaked_global" in globals():
    leaks.append("a global")
if "CODEBEAKER_LEAK" in os.environ:
    leaks.append("an environment variable")
if hasattr(builtins, "codebeaker_leak"):
    leaks.append("a builtin")
if hasattr(sys, "codebeaker_leak"):
    leaks.append("a sys attribute")
if "/tmp/codebeaker-leak" in sys.path:
    leaks.append("a sys.path entry")
if sys.getrecursionlimit() == 4321:
    leaks.append("the recursion limit")
if "json" in sys.modules:
    leaks.append("the json module")
print("clean" if not leaks else "leaked: " + ", ".join(leaks))
