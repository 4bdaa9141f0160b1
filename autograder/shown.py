"""What the reports show (the terminal, the HTML report, a CI summary): points to one decimal that
add up, and failures folded by message.

Rounding every number on its own does not add up (3.846 + 7.0 + 13.333 shows as 3.8 + 7.0 + 13.3
under a total of 24.2). Here the total is the exact total rounded; the exercises' parts are rounded
by the largest-remainder method so that they sum to it (an exercise with full marks, or none,
shows exactly that; the others share the rest), and within an exercise the tests' parts so
that they sum to the exercise's (the passed tests to its points, the failed ones to the rest, each
group of folded failures to its own rounded part).
A part that is exact to one decimal is shown as it is. results.json keeps the exact values.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

TENTHS = 10


def split(values: list[float], total: int) -> list[int]:
    """Whole numbers near ``values`` (each its floor or its ceiling) that sum to ``total``: the
    largest remainders are rounded up (largest-remainder method; ties in order)."""
    if not values:
        return []
    floors = [math.floor(v + 1e-6) for v in values]  # 1e-6: the shares are exact to a micro-point
    order = sorted(range(len(values)), key=lambda i: floors[i] - values[i])  # largest remainder first
    for step in range(total - sum(floors)):
        floors[order[step % len(order)]] += 1
    for step in range(sum(floors) - total):
        floors[order[-1 - step % len(order)]] -= 1
    return floors


@dataclass
class Points:
    """Shown points, in tenths: the total, per exercise (earned, possible), and per test its share
    (earned when it passed, lost when it failed; in the order of the tests given)."""
    total: tuple[int, int]
    exercises: dict[int, tuple[int, int]]
    tests: list[int]

    def exercise(self, number: int) -> str:
        return pair(*self.exercises.get(number, (0, 0)))


def pair(earned: int, possible: int) -> str:
    return f"{earned / TENTHS:.1f} / {possible / TENTHS:.1f}"


def points(tests: list[tuple]) -> Points:
    """``tests``: (exercise, exact points the test is worth, passed: True / False / None = not
    graded[, group]) for every test; not graded tests are worth nothing. Where the tests of an
    exercise are shown in groups (failures folded by message), the groups' parts add up too:
    each is rounded before its tests."""
    tests = [(t[0], t[1], t[2], t[3] if len(t) > 3 else "") for t in tests]
    numbers = sorted({t[0] for t in tests})
    earned = {n: sum(w for m, w, p, _ in tests if m == n and p) for n in numbers}
    possible = {n: sum(w for m, w, p, _ in tests if m == n and p is not None) for n in numbers}
    shown_possible = dict(zip(numbers, split([possible[n] * TENTHS for n in numbers],
                                             round(sum(possible.values()) * TENTHS))))
    # An exercise with full marks or none shows exactly that; the others share the rest of the total.
    settled = {n: shown_possible[n] if earned[n] >= possible[n] - 1e-6 else 0 for n in numbers
               if earned[n] >= possible[n] - 1e-6 or earned[n] <= 1e-6}
    partial = [n for n in numbers if n not in settled]
    earned_total = round(sum(earned.values()) * TENTHS) if partial else sum(settled.values())
    shown_earned = {**settled, **dict(zip(partial, split([earned[n] * TENTHS for n in partial],
                                                         earned_total - sum(settled.values()))))}
    total = (earned_total, sum(shown_possible.values()))
    shares = [0] * len(tests)
    for n in numbers:
        for passed, target in ((True, shown_earned[n]), (False, shown_possible[n] - shown_earned[n])):
            which = [i for i, t in enumerate(tests) if t[0] == n and t[2] is passed]
            groups = list(dict.fromkeys(tests[i][3] for i in which))
            members = [[i for i in which if tests[i][3] == g] for g in groups]
            for group, part in zip(members, split([sum(tests[i][1] for i in g) * TENTHS for g in members], target)):
                for i, share in zip(group, split([tests[i][1] * TENTHS for i in group], part)):
                    shares[i] = share
    return Points(total, {n: (shown_earned[n], shown_possible[n]) for n in numbers}, shares)


def numbers(labels: list[str]) -> str:
    """Test numbers in one short string: "1.1-1.6, 1.9"."""
    runs: list[list[str]] = []
    for label in labels:
        head, _, tail = label.rpartition(".")
        last = runs[-1][-1].rpartition(".") if runs else ("", "", "")
        if runs and last[0] == head and last[2].isdigit() and tail.isdigit() and int(tail) == int(last[2]) + 1:
            runs[-1].append(label)
        else:
            runs.append([label])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])")


def but_numbers(message: str) -> str:
    """A message with its numbers left out: messages that differ only in them say one thing."""
    return NUMBER.sub("#", message)


def fold(tests: list[dict], key=lambda t: t["message"]) -> list[list[dict]]:
    """Tests whose messages are the same but for their numbers (one mistake over parametrised
    cases), in groups, in the order of each group's first test."""
    groups: dict[str, list[dict]] = {}
    for test in tests:
        groups.setdefault(but_numbers(key(test)), []).append(test)
    return list(groups.values())


def count(group: list, key) -> str:
    """" (3 tests)", or " (3 tests; the numbers differ)" where the messages differ in their numbers."""
    if len(group) == 1:
        return ""
    return f" ({len(group)} tests" + ("; the numbers differ" if len({key(t) for t in group}) > 1 else "") + ")"


def sentence(name: str) -> str:
    """'test_ex3_softmax.py::test_values_match_the_reference[0.5]' -> 'values match the reference [0.5]'."""
    function, bracket, parameters = name.split("::")[-1].removeprefix("test_").partition("[")
    return function.replace("_", " ") + (f" [{parameters}" if bracket else "")
