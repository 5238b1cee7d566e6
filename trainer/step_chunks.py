"""The layout of a run's chunk files (steps/ and timeline/NNNNNN.json.gz): recorded steps column by
column, weights and positions as deltas.

Why: a student's browser downloads these chunks to scrub a run. Written record by record, a
500-word book run's chunk was 2.5 MB gzipped: gzip's 32 KB window never saw the previous record's
W′ again. Column by column, and with W and W′ stored as integer differences (in units of their
recorded precision) from the record before, most of those numbers are small repeated integers and
the same chunk is 0.4 MB, holding exactly the same values (docs/performance.md).
"""

import numpy as np

# field → decimals: stored as round(value · 10^decimals) minus the same for the previous record
DELTA_FIELDS = {"W": 4, "W_prime": 4}                  # a step chunk's weights (recorded at 4 decimals)
TIMELINE_DELTA_FIELDS = {"final": 3, "global": 3}      # a timeline chunk's 2-D positions (3 decimals)
COUNT, COLUMNS, DELTAS = "records", "columns", "deltas"


def encode_chunk(index: int, records: list[dict], delta_fields: dict[str, int] = DELTA_FIELDS) -> dict:
    """The chunk file's JSON for `records` (all with the same fields, values rounded as recorded)."""
    fields = list(records[0])
    if any(list(r) != fields for r in records):
        raise ValueError("every record of a chunk must have the same fields")
    columns = {field: [r[field] for r in records] for field in fields}
    deltas = {}
    for field, decimals in delta_fields.items():
        if field in columns:
            units = np.rint(np.asarray(columns[field], dtype=np.float64) * 10.0 ** decimals).astype(np.int64)
            columns[field] = np.diff(units, axis=0, prepend=0)
            deltas[field] = decimals
    return {"chunk": index, COUNT: len(records), COLUMNS: columns, DELTAS: deltas}


def decode_columns(chunk: dict) -> dict[str, list | np.ndarray]:
    """The chunk's columns with the delta fields summed back into values (float64 arrays);
    ValueError for a chunk whose shape is not the one written here (an untrusted file)."""
    try:
        count, columns, deltas = int(chunk[COUNT]), dict(chunk[COLUMNS]), dict(chunk[DELTAS])
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"not a step chunk ({err!r})") from None
    if any(not isinstance(c, list) or len(c) != count for c in columns.values()):
        raise ValueError(f"a column does not hold {count} records")
    for field, decimals in deltas.items():
        if field not in columns or not isinstance(decimals, int) or not 0 <= decimals <= 8:
            raise ValueError(f"bad delta field {field!r}")
        units = np.asarray(columns[field])
        if units.dtype.kind != "i":
            raise ValueError(f"{field} deltas are not integers")
        columns[field] = np.cumsum(units, axis=0) / 10.0 ** decimals
    return columns


def record_at(columns: dict[str, list | np.ndarray], offset: int) -> dict:
    """One record (plain JSON values) out of decoded columns."""
    return {field: (column[offset].tolist() if isinstance(column, np.ndarray) else column[offset])
            for field, column in columns.items()}


def decode_chunk(chunk: dict) -> list[dict]:
    columns = decode_columns(chunk)
    return [record_at(columns, i) for i in range(int(chunk[COUNT]))]
