"""Dependency cycles, found without recursion and named the way a person reads them.

A cycle is reported once, rotated to start at its alphabetically first member
(``a → b → c → a``), so the same file always gives the same message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["find_cycles"]


def _normalise(cycle: list[str]) -> tuple[str, ...]:
    start = cycle.index(min(cycle))
    return tuple(cycle[start:] + cycle[:start])


def find_cycles(graph: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """Cycles of ``graph`` (node → nodes it depends on), each as its members in order.

    Every strongly connected part with a cycle yields at least one cycle; edges to unknown nodes
    and self-edges are ignored (they are reported elsewhere).
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: dict[frozenset[str], tuple[str, ...]] = {}
    for root in sorted(graph):
        if root in state:
            continue
        path: list[str] = [root]
        iterators = [iter(sorted(set(graph[root])))]
        state[root] = 1
        while iterators:
            node = path[-1]
            nxt = next(iterators[-1], None)
            if nxt is None:
                state[node] = 2
                path.pop()
                iterators.pop()
                continue
            if nxt == node or nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = _normalise(path[path.index(nxt) :])
                found.setdefault(frozenset(cycle), cycle)
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iterators.append(iter(sorted(set(graph[nxt]))))
    return sorted(found.values())
