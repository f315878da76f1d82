"""Streaming evidence storage: SHA-256 and size computed chunk by chunk, limit enforced."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHUNK_SIZE = 1024 * 1024
NO_FILE = gettext_lazy("No file was submitted.")


def upload_name(file: Any, default: str) -> str:
    """The submitted file's base name (at most 200 characters), ``default`` when it has none;
    a 400 on ``file`` when nothing was submitted."""
    if file is None:
        raise ValidationError({"file": NO_FILE})
    return (getattr(file, "name", "") or default).rsplit("/", 1)[-1][:200]


def too_large_message(limit: int | None = None) -> str:
    limit = settings.EVIDENCE_MAX_BYTES if limit is None else limit
    limit_shown = number_format(limit, force_grouping=True)
    return _("The file is larger than the limit of %(limit)s bytes.") % {"limit": limit_shown}


class HashingFile(File):
    """Wraps an upload; every byte read through it is hashed and counted, the limit is enforced.

    Storage backends either iterate ``chunks()`` (FileSystemStorage) or ``read()`` (S3 and
    friends); both go through ``read``, so the whole file is never held in memory.
    """

    file: IO[bytes]  # always the wrapped upload (File allows None)

    def __init__(self, file: Any, *, limit: int, name: str | None = None) -> None:
        super().__init__(file, name=name)
        self.limit = limit
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size if size and size > 0 else CHUNK_SIZE)
        self.bytes_read += len(data)
        if self.bytes_read > self.limit:
            raise ValidationError({"file": too_large_message(self.limit)})
        self.sha256.update(data)
        return data

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        if hasattr(self.file, "seek"):
            self.file.seek(0)
        while True:
            data = self.read(chunk_size or CHUNK_SIZE)
            if not data:
                return
            yield data

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True

    @property
    def size(self) -> int:  # storages may ask; never trust the client's figure for the hash
        return getattr(self.file, "size", 0) or 0

    @size.setter
    def size(self, value: int) -> None:
        pass


def store_streaming(
    upload: Any, name: str, *, storage: Storage | None = None, limit: int | None = None
) -> tuple[str, int, str]:
    """Save ``upload`` under ``name`` in one streaming pass; return (stored name, size, sha256)."""
    storage = storage or default_storage
    limit = settings.EVIDENCE_MAX_BYTES if limit is None else limit
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise ValidationError({"file": too_large_message(limit)})
    wrapped = HashingFile(upload, limit=limit, name=name)
    target = storage.get_available_name(name)
    try:
        stored = storage.save(target, wrapped)
    except ValidationError:
        if storage.exists(target):
            storage.delete(target)
        raise
    return stored, wrapped.bytes_read, wrapped.sha256.hexdigest()


def hash_stored(file_field: Any) -> tuple[int, str]:
    """Re-hash a stored file chunk by chunk."""
    digest = hashlib.sha256()
    size = 0
    with file_field.storage.open(file_field.name, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class EvidenceLimitUploadHandler(FileUploadHandler):
    """First upload handler on evidence uploads: stops reading a file past EVIDENCE_MAX_BYTES.

    It passes chunks on to Django's usual handlers (memory / temporary file) and records
    which fields were too large so the view can answer 400 naming the field.
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = settings.EVIDENCE_MAX_BYTES
        self.too_large: set[str] = set()
        self._received = 0

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > self.limit:
            self.too_large.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def install_limit_handler(request: Any) -> EvidenceLimitUploadHandler:
    handler = EvidenceLimitUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler
