"""The exact analysis of a scenario: a Markov decision process over (node, values), solved with NumPy.

`explore(scenario)` enumerates every reachable state and transition (space.py); `solve` gives best
play, worst play or a fixed policy's expected values, `visits` how often a policy reaches each state
(solve.py); `policies` builds the uniformly random and naive policies (policies.py). Grading's debrief
values (scoring/values.py), `parley analyze` and `parley lint` are views of these numbers.
"""
from .solve import NoFixedPoint, solve, visits
from .space import StateSpace, StateSpaceTooLarge, explore

__all__ = ["StateSpace", "StateSpaceTooLarge", "explore", "NoFixedPoint", "solve", "visits"]
