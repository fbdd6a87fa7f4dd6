"""The public's week over its voters, compiled: one pass over the arrays instead of a dozen.

The rules are those of :class:`nzsim.model.agents.public.Public` (its docstrings give them as
formulas); this module carries them out. :func:`week` fades what voters remember, lets the pairs
drawn for the week talk and drifts ideal stances; :func:`measure` scores approval, counts who sees
China as a threat and who blames Beijing. Both are compiled by numba (decision 40) and work in
place on the public's own arrays: no temporaries, so a population of 200,000 costs no page
faults, and nothing is allocated a week.

:func:`week_reference` and :func:`measure_reference` are the NumPy code the kernels replace, kept
so that the tests can check the kernels against it on fixed inputs (exact to rounding: the only
differences are the last bits of ``exp`` and of a sum taken in another order). The model never
calls them.

The random numbers stay NumPy's: which voters meet is drawn by the model's generator before the
kernel runs (:meth:`Public.mix_opinions`), so a seed draws what it drew before the kernel.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types

_F = types.float64
_ARRAY = types.Array(_F, 1, "C")
#: The kernels' types, fixed so that a parameter given as a whole number in a scenario file is
#: converted, not compiled for again.
_BOOLS = types.Array(types.boolean, 1, "C")
TALK = types.void(_ARRAY, _ARRAY, _ARRAY, _ARRAY, types.Array(types.int64, 1, "C"), types.int64, _F, _F, _F, _F, _F)
DRIFT = types.void(_ARRAY, _ARRAY, _BOOLS, _ARRAY, _F, _F, types.boolean, _F)
MEASURE = types.Tuple((types.int64, types.int64, types.int64))(
    _ARRAY, _ARRAY, _ARRAY, _ARRAY, _ARRAY, types.Array(types.int8, 1, "C"), _ARRAY, _BOOLS,
    _F, _F, _F, types.int64, _F, _F, _F, types.boolean, _F, _F, _F, _F, _F, _F, _F, _F)

#: ``njit`` options of every kernel: compiled once per machine and cached beside this file (or in
#: numba's user cache where the package folder is read-only); no fast-math, so each operation is
#: IEEE rounded in the order written and the same seed gives the same numbers on every machine.
OPTIONS = dict(cache=True, nogil=True, fastmath=False, error_model="numpy", boundscheck=False)


@njit(TALK, **OPTIONS)
def talk(memory, ideal, threat_base, scratch, met, pairs, memory_keep, shock, convergence, confidence_bound,
         perception_convergence):
    """What voters remember fades by ``memory_keep``; the ``pairs`` pairs ``met[:pairs]``,
    ``met[pairs:2 * pairs]`` share memories and, if closer than the bound, move their ideals
    together; ``scratch`` is left holding minus each voter's threat logit (for ``numpy.exp``)."""
    n = memory.shape[0]
    for i in range(n):
        memory[i] *= memory_keep
    for k in range(pairs):
        a = met[k]
        b = met[pairs + k]
        gap = ideal[b] - ideal[a]
        if abs(gap) < confidence_bound:
            move = convergence * gap
            ideal[a] += move
            ideal[b] -= move
        shared = perception_convergence * (memory[b] - memory[a])
        memory[a] += shared
        memory[b] -= shared
    for i in range(n):
        scratch[i] = -(threat_base[i] + memory[i] + shock)


@njit(DRIFT, **OPTIONS)
def drift(ideal, ideal0, blames, scratch, threat_to_ideal, polarisation, in_dispute, ideal_adjust):
    """Every ideal relaxes toward its anchor, ``ideal0 + threat_to_ideal * (threat - 1/2)`` with
    ``threat = 1 / (1 + scratch)`` (``scratch`` holds ``exp(-threat logit)``); in a dispute
    (``in_dispute``), plus the polarisation of who blames whom (``blames`` as measured last);
    ideals are clipped to [0, 1]."""
    for i in range(ideal.shape[0]):
        anchor = ideal0[i] + threat_to_ideal * (1.0 / (1.0 + scratch[i]) - 0.5)
        if in_dispute:
            anchor = anchor + (polarisation if blames[i] else -polarisation)
        x = ideal[i] + ideal_adjust * (anchor - ideal[i])
        ideal[i] = min(max(x, 0.0), 1.0)


@njit(MEASURE, **OPTIONS)
def measure(ideal, memory, threat_base, attachment, trade_sensitivity, lean, blame_noise, blames,
            shock, stance, bonus_scale, bloc_lean, partisan_weight, tolerance, distance_scale,
            coercing, blame_constant, blame_threat, blame_pride, blame_pain, blame_provocation,
            pain_scale, blame_shield, rally_bonus):
    """Score every voter; return (approvers, who see China as a threat, who blame Beijing). While
    Beijing coerces (``coercing``) ``blames`` is filled with who blames it.

    ``bonus_scale`` is ``independence_weight * credibility``; ``distance_scale`` is ``1 +
    salience_weight * salience``; ``blame_constant`` is ``blame_bias + blame_solidarity *
    partners standing by``; ``pain_scale`` is ``trade_pain_weight * loss fraction`` (0 for no
    loss); ``rally_bonus`` is ``rally_weight * rally`` (0 once the rally has faded). Written
    without branches inside the loop, so that the compiler can take several voters at once."""
    approvers = 0
    threatened = 0
    blaming = 0
    shielded = 1.0 - blame_shield
    for i in range(ideal.shape[0]):
        x = ideal[i]
        score = (bonus_scale * attachment[i] + (partisan_weight if lean[i] == bloc_lean else 0.0) + tolerance
                 - distance_scale * abs(stance - x))
        logit = threat_base[i] + memory[i] + shock
        threatened += logit > 0
        pain = pain_scale * trade_sensitivity[i]
        if coercing:
            z = (blame_constant + blame_noise[i] + blame_threat * logit + blame_pride * (attachment[i] - 0.5)
                 - blame_pain * (trade_sensitivity[i] - 0.4) - blame_provocation * max(0.0, stance - x))
            blamer = z > 0
            blames[i] = blamer
            blaming += blamer
            score = score - (pain * shielded if blamer else pain) + (rally_bonus if blamer else 0.0)
        else:
            score = score - pain
        approvers += score > 0
    return approvers, threatened, blaming


# -- the NumPy code the kernels replace (for the tests) -----------------------------------------
def week_reference(memory, ideal, ideal0, threat_base, blames, met, pairs, memory_keep, shock, convergence,
                   confidence_bound, perception_convergence, threat_to_ideal, polarisation, in_dispute,
                   ideal_adjust):
    """:func:`talk`, ``numpy.exp`` and :func:`drift` as the NumPy code they replace wrote them (in
    place, with temporaries)."""
    memory *= memory_keep
    if pairs:
        a, b = met[:pairs], met[pairs:2 * pairs]
        gap = ideal[b] - ideal[a]
        close = np.abs(gap) < confidence_bound
        move = convergence * gap * close
        ideal[a] += move
        ideal[b] -= move
        shared = perception_convergence * (memory[b] - memory[a])
        memory[a] += shared
        memory[b] -= shared
    threat = 1.0 / (1.0 + np.exp(-(threat_base + memory + shock)))
    anchor = ideal0 + threat_to_ideal * (threat - 0.5)
    if in_dispute:
        anchor = anchor + polarisation * np.where(blames, 1.0, -1.0)
    ideal += ideal_adjust * (anchor - ideal)
    np.clip(ideal, 0.0, 1.0, out=ideal)


def measure_reference(ideal, memory, threat_base, attachment, trade_sensitivity, lean, blame_noise, blames,
                      shock, stance, bonus_scale, bloc_lean, partisan_weight, tolerance, distance_scale,
                      coercing, blame_constant, blame_threat, blame_pride, blame_pain, blame_provocation,
                      pain_scale, blame_shield, rally_bonus):
    """:func:`measure` as the NumPy code it replaces wrote it."""
    bonus = bonus_scale * attachment + partisan_weight * (lean == bloc_lean) + tolerance
    score = bonus - distance_scale * np.abs(stance - ideal)
    logit = threat_base + memory + shock
    who = None
    if coercing:
        z = (blame_constant + blame_noise + blame_threat * logit + blame_pride * (attachment - 0.5)
             - blame_pain * (trade_sensitivity - 0.4) - blame_provocation * np.maximum(0.0, stance - ideal))
        who = z > 0
        blames[:] = who
    if pain_scale != 0.0:
        pain = pain_scale * trade_sensitivity
        score -= pain if who is None else pain * (1.0 - blame_shield * who)
    if who is not None and rally_bonus != 0.0:
        score += rally_bonus * who
    return (int(np.count_nonzero(score > 0)), int(np.count_nonzero(logit > 0)),
            0 if who is None else int(np.count_nonzero(who)))
