"""Page tokens that carry the id of the last row shown (keyset paging).

A token comes back from the client, so it is checked like any input: only ASCII digits, and an id the database can
hold. Python's `str.isdigit` also accepts digits such as "²" that `int` refuses, and SQLite refuses integers past
64 bits, so either used to fail the request with a server error.
"""

from .errors import Invalid

MAX_ROW_ID = 2**63 - 1


def row_id(token: str) -> int:
    """The row id a page token carries; Invalid when the token is not one a page gave out."""
    if token.isascii() and token.isdigit() and int(token) <= MAX_ROW_ID:
        return int(token)
    raise Invalid("page_token_invalid", "分页参数无效，请从第一页重新浏览", field="page_token")
