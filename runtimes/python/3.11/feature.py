# New in 3.11: exception groups and except*, and tomllib in the standard library.
import tomllib


def fail_both():
    raise ExceptionGroup("two failures", [ValueError("bad value"), KeyError("missing")])


caught = []
try:
    fail_both()
except* ValueError as group:
    caught += [type(e).__name__ for e in group.exceptions]
except* KeyError as group:
    caught += [type(e).__name__ for e in group.exceptions]

config = tomllib.loads('answer = 42\n')
assert caught == ["ValueError", "KeyError"] and config["answer"] == 42, (caught, config)
print("OK")
