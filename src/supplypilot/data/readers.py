"""Read a source (CSV, Parquet, Excel, JSON lines, SQL query) into a frame, refusing bad files.

Every reader returns a :class:`Source`: the frame (columns as read, values as strings or the
file's own types), where each frame row came from, and how the file was decoded. Encodings are
*detected*: UTF-8 (with or without BOM) is tried strictly first, then charset detection must
name a known encoding (GB18030 for GBK/GB2312 exports) or the file is refused with a hint to
pass ``--encoding``; the chosen encoding is always reported and kept in the import batch.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from supplypilot.errors import InputError

FORMATS = ("csv", "parquet", "xlsx", "jsonl", "sql")
_SUFFIX = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}
_CJK_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "gb18030": "gb18030", "hz": "gb18030"}
_KNOWN_TEXT = {"utf_8", "utf-8", "utf_16", "utf_16_le", "utf_16_be", "big5", "big5hkscs",
               "cp950", "shift_jis", "cp932", "euc_kr", "cp949", "cp1252", "latin_1",
               "iso8859_1", "ascii"}


@dataclass
class Source:
    """A read source: the frame and what is needed to report on its rows."""

    frame: pd.DataFrame
    name: str
    format: str
    encoding: str | None
    sha256: str | None
    first_row: int
    """File row number of the frame's first data row (header counts as row 1 for CSV/Excel)."""

    def row_number(self, index: int) -> int:
        return self.first_row + index


def sniff_format(path: Path) -> str:
    fmt = _SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown file type {path.suffix or '(no suffix)'!r}; expected one of "
            f"{', '.join(sorted(_SUFFIX))}", where=str(path),
        )
    return fmt


def detect_encoding(raw: bytes, where: str) -> str:
    """Name the encoding of ``raw`` or refuse; never falls back to a silent guess."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in raw[:65536]:
        raise InputError("contains NUL bytes: this is not a text file (binary or corrupt?)", where)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 4 << 20]).best()
    if best is None:
        raise InputError(
            "cannot tell the text encoding (not UTF-8, and no known encoding fits); "
            "pass --encoding, e.g. --encoding gb18030", where,
        )
    enc = best.encoding.lower()
    enc = _CJK_ALIASES.get(enc, enc)
    if enc not in _KNOWN_TEXT and enc != "gb18030":
        raise InputError(
            f"the text encoding looks like {best.encoding!r}, which is unusual for supply chain "
            "exports; pass --encoding to confirm it", where,
        )
    try:
        raw.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(
            f"the text is neither UTF-8 nor valid {enc}: {exc}; pass --encoding", where
        ) from exc
    return enc


def read_source(
    path: str | Path, *, format: str | None = None, encoding: str | None = None,
    sheet: str | int | None = None,
) -> Source:
    """Read a file into a :class:`Source`. Raises :class:`InputError` naming the file."""
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise InputError("no such file", where)
    if path.is_dir():
        raise InputError("is a folder, not a file (use import on a folder to import a bundle)", where)
    fmt = format or sniff_format(path)
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError("the file is empty", where)
    digest = hashlib.sha256(raw).hexdigest()
    if fmt == "csv":
        enc = encoding or detect_encoding(raw, where)
        frame = _read_csv(raw, enc, where, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        return Source(frame, where, fmt, enc, digest, first_row=2)
    if fmt == "jsonl":
        enc = encoding or detect_encoding(raw, where)
        return Source(_read_jsonl(raw, enc, where), where, fmt, enc, digest, first_row=1)
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(io.BytesIO(raw))
        except Exception as exc:  # pyarrow raises several unrelated types for a bad file
            raise InputError(f"not a readable Parquet file ({exc})", where) from exc
        return Source(frame, where, fmt, None, digest, first_row=1)
    if fmt == "xlsx":
        return Source(_read_excel(raw, where, sheet), where, fmt, None, digest, first_row=2)
    raise InputError(f"unsupported format {fmt!r}; expected one of {', '.join(FORMATS)}", where)


def read_sql(url: str, query: str) -> Source:
    """Run a read-only query on any SQLAlchemy URL (an ERP's database, a data warehouse)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    where = f"{url.split('@')[-1]} :: {query[:60]}"
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            frame = pd.read_sql_query(text(query), conn)
        engine.dispose()
    except (SQLAlchemyError, ValueError) as exc:
        raise InputError(f"the query failed: {exc}", where) from exc
    digest = hashlib.sha256(f"{url}\n{query}".encode()).hexdigest()
    return Source(frame, where, "sql", None, digest, first_row=1)


def _decode(raw: bytes, enc: str, where: str) -> str:
    try:
        return raw.decode(enc)
    except LookupError as exc:
        raise InputError(f"unknown text encoding {enc!r} (try utf-8 or gb18030)", where) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is not valid {enc} (byte {exc.start}: {exc.reason}); check --encoding", where
        ) from exc


def _read_csv(raw: bytes, enc: str, where: str, sep: str = ",") -> pd.DataFrame:
    text = _decode(raw, enc, where)
    if text.startswith("\ufeff"):
        text = text[1:]
    import csv

    first_line = text.split("\n", 1)[0].rstrip("\r")
    _check_header([h.strip() for h in next(csv.reader([first_line], delimiter=sep))], where)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
            skipinitialspace=True, engine="c",
        )
    except pd.errors.ParserError as exc:
        raise InputError(f"malformed CSV: {exc}", where) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError("the file has no header row", where) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_jsonl(raw: bytes, enc: str, where: str) -> pd.DataFrame:
    import json

    rows = []
    for lineno, line in enumerate(_decode(raw, enc, where).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {lineno} is not valid JSON: {exc.msg}", where) from exc
        if not isinstance(obj, dict):
            raise InputError(f"line {lineno} is not a JSON object", where)
        rows.append(obj)
    if not rows:
        raise InputError("the file has no records", where)
    return pd.DataFrame.from_records(rows)


def _read_excel(raw: bytes, where: str, sheet: str | int | None) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException
        raise InputError(f"not a readable .xlsx workbook ({exc})", where) from exc
    ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet or 0]
    for rng in ws.merged_cells.ranges:
        if rng.min_row == 1:
            raise InputError(
                f"merged header cells {rng.coord} in sheet {ws.title!r}: each column needs its own "
                "header; unmerge them (or map the columns in a mapping file)", where,
            )
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise InputError(f"sheet {ws.title!r} is empty", where)
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    _check_header(header, where)
    frame = pd.DataFrame(rows[1:], columns=header)
    return frame.dropna(how="all")


def _check_header(header: list[str], where: str) -> None:
    blanks = [i + 1 for i, h in enumerate(header) if not str(h).strip() or str(h).startswith("Unnamed:")]
    if blanks:
        raise InputError(f"header has empty column name(s) at position(s) {blanks}", where)
    seen: set[str] = set()
    for h in header:
        if h in seen:
            raise InputError(f"header repeats the column {h!r}", where)
        seen.add(h)
