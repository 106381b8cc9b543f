"""Reading list files: plain or gzip (recognised by content), text decoding, content hashes."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from transitwatch.errors import InputError, ParseError

GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | Path) -> bytes:
    """The file's content, decompressed if it is gzip (whatever its name says)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{p}: no such file") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror})") from exc
    if raw[:2] == GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ParseError(f"corrupt gzip data ({exc})", path=str(p)) from exc
    return raw


def decode_text(data: bytes, path: str | Path, encodings: Iterable[str] = ("utf-8",)) -> str:
    """Decode bytes with the first encoding that works; a BOM is dropped."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    last: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            last = exc
    assert last is not None
    row = data[: last.start].count(b"\n") + 1
    raise ParseError(
        f"not valid text in any of {', '.join(encodings)} (byte {last.start})",
        path=str(path),
        row=row,
    )


def read_text(path: str | Path, encodings: Iterable[str] = ("utf-8",)) -> str:
    return decode_text(read_bytes(path), path, encodings)


def content_hash(blobs: Iterable[bytes]) -> str:
    """sha256 over the given contents, each length-prefixed so concatenations cannot collide."""
    h = hashlib.sha256()
    for blob in blobs:
        h.update(len(blob).to_bytes(8, "big"))
        h.update(blob)
    return h.hexdigest()


def checked_records(
    reader: Iterator[list[str]], width: int, path: str | Path
) -> Iterator[tuple[int, list[str]]]:
    """(line number, record) for each non-blank record of a csv reader, each of ``width``
    fields; a record of another width raises ParseError naming the file and row."""
    line_num = getattr(reader, "line_num", 0)
    for record in reader:
        line_num = getattr(reader, "line_num", line_num + 1)
        if len(record) <= 1 and not "".join(record).strip():
            continue
        if len(record) != width:
            raise ParseError(
                f"expected {width} fields, found {len(record)}", path=str(path), row=line_num
            )
        yield line_num, record


def decode_central_asian(data: bytes) -> tuple[str, str]:
    """(text, encoding) of an input file from a Central Asian system: UTF-8 (BOM or not) when
    it decodes, else cp1251, the Windows Cyrillic code page such systems often export in."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"
