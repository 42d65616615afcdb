"""Graph helpers for the analysis: strongly connected components, sinks first, without recursion."""
from __future__ import annotations


def strongly_connected(roots, successors, known=lambda key: False):
    """Yield the strongly connected components of the graph reachable from `roots`, sinks first
    (iterative Tarjan, so deep graphs never hit the recursion limit).

    `successors(key)` is called once per state; states for which `known(key)` holds are treated as
    already dealt with and skipped. Components are yielded as soon as they are complete, so a caller
    that solves each one before asking for the next sees every successor component solved first.
    """
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    counter = 0
    for root in roots:
        if root in index or known(root):
            continue
        work = [(root, None)]
        while work:
            key, it = work[-1]
            if it is None:
                index[key] = low[key] = counter
                counter += 1
                stack.append(key)
                on_stack.add(key)
                it = iter(successors(key))
                work[-1] = (key, it)
            advanced = False
            for nxt in it:
                if known(nxt):
                    continue
                if nxt not in index:
                    work.append((nxt, None))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[key] = min(low[key], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[key])
            if low[key] == index[key]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == key:
                        break
                yield component
