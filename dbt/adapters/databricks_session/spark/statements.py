"""Split one SQL text into the statements `spark.sql` can run, one call each.

dbt sends a model's `sql_header` in the same text as the statement after it, and hooks and
`run_query` calls may hold several statements; a warehouse runs them in turn, `spark.sql` runs
one per call (`set time zone 'X'; select ...` is read as one malformed SET). So the text is cut
at each `;` outside string literals, quoted identifiers, comments and `$$` bodies. A SQL
scripting block (`BEGIN ... END`) is one statement to Spark and is never cut.
"""

from __future__ import annotations

import re

# Whatever comes before a text's first keyword (dbt's query comment comes first). Each character
# can be read one way only (`\s` not `\s+`, a comment body that cannot pass its `*/`): a pattern
# like `(\s+)*` backtracks exponentially in the length of a whitespace run, and dbt's rendered
# SQL has runs of dozens of characters, which hung a model's statement for hours.
LEADING_COMMENTS = r"^(?:\s|/\*(?:[^*]|\*(?!/))*\*/|--[^\n]*(?:\n|$))*"
_SCRIPT_BLOCK = re.compile(LEADING_COMMENTS + r"BEGIN\b", re.IGNORECASE | re.DOTALL)
_COMMENTS_ONLY = re.compile(LEADING_COMMENTS + r"$", re.DOTALL)
_DOLLAR_TAG = re.compile(r"\$[A-Za-z_]*\$")


def split_statements(sql: str) -> list[str]:
    """The statements of `sql` in order, without their `;` and without any that hold only
    whitespace and comments. A text with one statement comes back unchanged."""
    if _SCRIPT_BLOCK.match(sql):
        return [sql]
    pieces = [piece for piece in _cut_at_semicolons(sql) if not _COMMENTS_ONLY.match(piece)]
    return [piece.strip() for piece in pieces] if len(pieces) > 1 else [sql]


def _cut_at_semicolons(sql: str) -> list[str]:
    pieces: list[str] = []
    start = position = 0
    while position < len(sql):
        char = sql[position]
        if char == ";":
            pieces.append(sql[start:position])
            start = position = position + 1
            continue
        position = _skip_quoted(sql, position)
    pieces.append(sql[start:])
    return pieces


def _skip_quoted(sql: str, position: int) -> int:
    """The index after the literal, identifier or comment starting at `position` (or after the
    one character there if nothing starts there)."""
    char, pair = sql[position], sql[position : position + 2]
    if char in "'\"":
        return _end_of_string(sql, position, char)
    if char == "`":
        end = sql.find("`", position + 1)
        return len(sql) if end < 0 else end + 1
    if pair == "--":
        end = sql.find("\n", position)
        return len(sql) if end < 0 else end + 1
    if pair == "/*":
        return _end_of_block_comment(sql, position)
    tag = _DOLLAR_TAG.match(sql, position)
    if tag is not None:
        end = sql.find(tag.group(0), tag.end())
        return len(sql) if end < 0 else end + len(tag.group(0))
    return position + 1


def _end_of_string(sql: str, position: int, quote: str) -> int:
    position += 1
    while position < len(sql):
        if sql[position] == "\\":  # Spark string literals take backslash escapes
            position += 2
        elif sql[position] == quote:
            return position + 1
        else:
            position += 1
    return len(sql)


def _end_of_block_comment(sql: str, position: int) -> int:
    """Spark's bracketed comments nest: `/* a /* b */ c */` is one comment."""
    depth = 0
    while position < len(sql):
        pair = sql[position : position + 2]
        if pair == "/*":
            depth, position = depth + 1, position + 2
        elif pair == "*/":
            depth, position = depth - 1, position + 2
            if depth == 0:
                return position
        else:
            position += 1
    return len(sql)
