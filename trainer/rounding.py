"""Rounding for the JSON a page reads: as many digits as a page can show, and no more bytes."""

import numpy as np


def round_fixed(values, decimals: int) -> np.ndarray:
    """Fixed decimals, as float32 so orjson writes the shortest form ("0.1234", not "0.12340000271")."""
    return np.round(np.asarray(values, dtype=np.float64), decimals).astype(np.float32)


def round_significant(values, digits: int) -> np.ndarray:
    """Significant digits, for values spanning magnitudes (probabilities near 1e-5 and near 1)."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore"):
        exponents = np.floor(np.log10(np.abs(values)))
    exponents = np.where(np.isfinite(exponents), exponents, 0)
    scale = 10.0 ** (digits - 1 - exponents)
    return (np.round(values * scale) / scale).astype(np.float32)
