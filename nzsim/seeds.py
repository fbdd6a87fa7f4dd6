"""Every seed the package derives, in one place: from one root seed to each replication's streams.

- A run's root seed gives replication ``i`` the ``numpy.random.SeedSequence`` child
  ``SeedSequence(root, spawn_key=(i,))`` (what ``SeedSequence(root).spawn(n)[i]`` is), turned
  into a 63-bit integer seed (:func:`replication_seed`) that is stored with the outcomes, so
  ``nzsim story SCENARIO --seed <that integer>`` retells exactly that replication. Which worker
  runs a replication, and in which chunk, never changes its seed.
- A replication's integer seed gives two streams (:func:`replication_streams`): its parameter
  draws (spawn key 0) and the model's own randomness (spawn key 1).
- A nested design's parameter draw ``k`` uses ``SeedSequence(root, spawn_key=(PARAM_KEY, k))``
  (:func:`parameter_draw_rng`), apart from every replication's.
- A comparison's bootstrap resamples run ``i`` from ``SeedSequence(seed, spawn_key=(i,))``
  (:func:`bootstrap_rng`); a calibration's Latin hypercube from ``default_rng(seed)``
  (:func:`design_rng`).

Layer: the bottom (NumPy only), beside the catalogue.
"""

from __future__ import annotations

import numpy as np

#: First element of the spawn key of a nested design's parameter draws (apart from replications').
PARAM_KEY = 2**32


def replication_seed(root_seed: int, replication: int) -> int:
    """The integer seed of replication ``replication``: 63 bits of its SeedSequence child's state."""
    child = np.random.SeedSequence(root_seed, spawn_key=(replication,))
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))


def replication_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """A replication's two generators: one for parameter draws, one for the model."""
    param_ss, model_ss = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(param_ss), np.random.default_rng(model_ss)


def parameter_rng(seed: int) -> np.random.Generator:
    """A replication's parameter-draw stream alone (the first of :func:`replication_streams`)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))


def model_rng(seed: int) -> np.random.Generator:
    """A replication's model stream alone (the second of :func:`replication_streams`)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))


def parameter_draw_rng(root_seed: int, draw: int) -> np.random.Generator:
    """The generator of a nested design's parameter draw ``draw``."""
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(PARAM_KEY, draw)))


def bootstrap_rng(seed: int, run: int) -> np.random.Generator:
    """The generator of a comparison's bootstrap resamples of its ``run``-th run."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(run,)))


def design_rng(seed: int) -> np.random.Generator:
    """The generator of an experiment design's points (a calibration's Latin hypercube)."""
    return np.random.default_rng(seed)


#: The spawn key of an exploratory design's points (apart from replications' and parameter draws').
DESIGN_KEY = (2**32 + 1,)


def experiment_design_seed(root_seed: int) -> int:
    """The seed of an exploratory design's points (:mod:`nzsim.runs.experiments`): 32 bits of
    ``SeedSequence(root, spawn_key=DESIGN_KEY)``, a function of the run's root seed alone."""
    return int(np.random.SeedSequence(root_seed, spawn_key=DESIGN_KEY).generate_state(1, np.uint32)[0])
