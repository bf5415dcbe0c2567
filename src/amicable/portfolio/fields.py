"""Model fields the portfolio needs beyond Django's."""

from django.db import models


class BytewiseCharField(models.CharField):
    """A CharField whose text compares byte by byte: the "C" collation on PostgreSQL (SQLite's
    default, BINARY, already does).

    For keys that are only ever matched (account numbers, phone numbers, hashes, idempotency
    keys) or searched by prefix (`Consumer.name_key`, folded to lower-case ASCII). Under a
    language collation, even `C.UTF-8`, PostgreSQL compares text through the C library and
    without its abbreviated keys, so sorting them is slow: the indexes a million-account load
    builds took twice as long (`ssn_hash`: 2.3 s against 0.9 s), and every insert into their
    unique indexes paid it too. A "C" index also serves `LIKE 'prefix%'`, which under a
    language collation needs a second, pattern-matching index. The order it gives is that of
    the characters' code points, the order `C.UTF-8` gives too."""

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters
