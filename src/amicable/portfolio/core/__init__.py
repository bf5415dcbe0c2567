"""The pure core of the portfolio context: parsing and validating placement files.

Nothing in here imports Django, so it can be unit-tested without a database and reused by the
CLI, the upload page and the benchmarks alike. Entry points:

- `placement_file.open_placement_file(path, *, mapping=None)`: the file, its notes and raw rows;
- `placement_file.load_mapping(path)`: a column mapping from JSON or CSV;
- `placement_rows.parse_placement_rows(raw_rows)` / `iter_placement_rows(path, *, mapping=None)`:
  `ParsedRow`s with a typed `PlacementRecord` (or None when rejected) and `RowIssue`s;
- `values`: the single-value parsers (`parse_money`, `parse_date`, `normalize_phone`...).
"""
