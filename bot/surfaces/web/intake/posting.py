"""Reading a posted form, files included, in memory and within a size limit.

Starlette's parser spools a file larger than 1 MB to a temporary file on disk: a photo with
its GPS tags would then sit, however briefly, on the server's disk. Here the spool limit is
the whole request's limit, so an upload never leaves memory before its metadata is
stripped, and a request larger than the limit is cut off while it arrives.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import Request


class TooLarge(Exception):
    """The request is bigger than the form accepts."""


class _InMemoryParser(MultiPartParser):
    def __init__(self, *args: object, limit: int, **options: object) -> None:
        super().__init__(*args, **options)  # type: ignore[arg-type]
        self.spool_max_size = limit + 1


async def read_form(request: Request, limit: int, max_files: int) -> FormData:
    """The posted form; TooLarge past `limit` bytes, ValueError for a malformed body."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge()

    async def capped() -> AsyncGenerator[bytes, None]:
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                raise TooLarge()
            yield chunk

    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("multipart/form-data"):
            return await _InMemoryParser(request.headers, capped(), limit=limit,
                                         max_files=max_files, max_fields=50).parse()
        if content_type.startswith("application/x-www-form-urlencoded"):
            return await FormParser(request.headers, capped()).parse()
    except MultiPartException as problem:
        raise ValueError(str(problem)) from None
    raise ValueError(content_type)  # neither of the encodings a form is sent in


async def uploads(form: FormData, name: str) -> list[bytes]:
    """The files posted under `name`, as bytes; an empty file input gives none."""
    found = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile):
            data = await item.read()
            await item.close()
            if data or item.filename:
                found.append(data)
    return found
