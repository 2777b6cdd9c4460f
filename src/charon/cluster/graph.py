"""Unit dependency levels: every unit after the units it depends on, cycles named in full.

Units of one level do not depend on each other, so an apply runs a level as one stage and waits
for it to be healthy before the next (Flux's ``dependsOn``). Ties are broken by the compiler's
order (layer, then name), so the plan is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from charon.errors import ClusterError

__all__ = ["dependency_levels", "find_cycle"]


def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """One dependency cycle as ``[a, b, ..., a]``, or None when the graph has none."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in deps.get(node, ()):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep in deps and dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in deps:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def dependency_levels(order: Sequence[str], deps: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Units grouped in levels; ``order`` is the tie-break order of the units.

    A dependency on a unit that does not exist, or a cycle, is a ClusterError that names it: the
    apply cannot start, just as Flux never reconciles a Kustomization waiting on itself.
    """
    known = set(order)
    for unit in order:
        missing = sorted(set(deps.get(unit, ())) - known)
        if missing:
            raise ClusterError(
                f"unit/{unit}",
                f"depends on unknown unit(s) {', '.join(missing)}",
                ["fix: remove the dependency or add the unit"],
            )
    cycle = find_cycle({u: tuple(deps.get(u, ())) for u in order})
    if cycle:
        raise ClusterError(
            f"unit/{cycle[0]}", f"dependency cycle: {' -> '.join(cycle)}", ["fix: break the cycle"]
        )
    level: dict[str, int] = {}
    remaining = list(order)
    while remaining:
        ready = [u for u in remaining if all(d in level for d in deps.get(u, ()))]
        for unit in ready:
            level[unit] = 1 + max((level[d] for d in deps.get(unit, ())), default=-1)
        remaining = [u for u in remaining if u not in level]
    levels: list[list[str]] = [[] for _ in range(1 + max(level.values(), default=-1))]
    for unit in order:
        levels[level[unit]].append(unit)
    return levels
