"""Static files (CSS, JavaScript, SVG) go out gzip-compressed to browsers that accept it, each file compressed once
and kept in memory (Flask-Compress); pages are never compressed.

Why pages never are: a page carries a CSRF token, and setup pages a TOTP secret or recovery codes, next to text
the visitor chose (a search, an email address, a `next` URL). Compressing both in one response lets someone who
can make a victim's browser send requests and see the responses' sizes guess the secret a character at a time
(BREACH). A static file holds no secret and nothing reflected. So compression is attached to the static view
alone, not to every response, and only for the types below.
"""
import functools

from flask import Flask, g
from flask_compress import Compress, DictCache

MIMETYPES = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"]


def init_app(app: Flask) -> None:
    app.config.update(
        COMPRESS_REGISTER=False,  # not an after_request on every response: only the static view, below
        COMPRESS_MIMETYPES=MIMETYPES,
        COMPRESS_ALGORITHM=["gzip"],  # what every browser accepts, and all the stdlib needs
        COMPRESS_LEVEL=9,  # the smallest output: each file is compressed once per process
        COMPRESS_STREAMS=False,  # a body still streamed (the part a Range request asked for) goes out as it is
        COMPRESS_CACHE_BACKEND=DictCache,  # one entry per static file version: the set is small and fixed
        COMPRESS_CACHE_KEY=_cache_key,
    )
    compress = Compress(app)
    app.view_functions["static"] = compress.compressed()(_whole_file(app.view_functions["static"]))


def _whole_file(view):
    """Flask sends a static file as a stream (a file wrapper), which Flask-Compress would compress chunk by chunk
    on every request and send without a Content-Length. A whole file (200) of a compressible type is read into
    the response instead, so it is compressed once, from the cache after that, and sent with its length."""
    @functools.wraps(view)
    def static(*args, **kwargs):
        response = view(*args, **kwargs)
        if response.status_code == 200 and response.mimetype in MIMETYPES and response.direct_passthrough:
            response.direct_passthrough = False
            response.make_sequence()
        g.static_etag = response.get_etag()[0]  # the file's version (mtime, size, name), for the cache key
        return response
    return static


def _cache_key(request) -> str:
    # The path and the file's version: an edited file (development) is compressed again, never served stale.
    return f"{request.path}|{g.get('static_etag')}"
