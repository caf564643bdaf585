# New in 3.12: the type statement and type parameter syntax; in 3.13: defaults for type parameters, copy.replace.
import copy
from dataclasses import dataclass

type Pair[T = int] = tuple[T, T]


def first[T](pair: Pair[T]) -> T:
    return pair[0]


@dataclass(frozen=True)
class Point:
    x: int
    y: int


moved = copy.replace(Point(1, 2), y=5)
assert first((3, 4)) == 3 and moved == Point(1, 5), (first((3, 4)), moved)
assert Pair.__type_params__[0].__default__ is int
print("OK")
