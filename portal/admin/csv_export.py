"""CSV downloads of admin lists (Agent Profiles, End users, the security log): streamed batch by batch, so a list
of any length never sits in memory, with every cell made safe for spreadsheets."""
import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context


def cell(value) -> str:
    """A spreadsheet must never run a cell as a formula (a name like "=HYPERLINK(…)")."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def download(filename: str, header: list[str], batches: Iterator[Iterable[list]]) -> Response:
    """A CSV attachment: `header`, then the rows of each batch as it comes (one chunk of the response each)."""
    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for batch in batches:
            writer.writerows([cell(v) for v in row] for row in batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(chunks()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
