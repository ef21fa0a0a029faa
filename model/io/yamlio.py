"""Reading the YAML files a user writes (scenarios, batches) strictly, with located errors.

`read_yaml` refuses, each with the file and line:

* a path that is missing, a folder, unreadable or larger than `MAX_BYTES`;
* text that is not UTF-8 (the line of the first bad byte is named);
* duplicate keys: PyYAML keeps the last value without a word, so a scenario with two
  ``discount_rate:`` lines would silently use the second;
* anchors and aliases (``&a`` / ``*a``): a scenario has no use for them, and nested aliases
  expand exponentially (the "billion laughs" file);
* nesting deeper than `MAX_DEPTH` (PyYAML's composer recurses once per level, so a file of
  ``[[[[…`` ends in a RecursionError);
* anything the safe loader refuses (Python tags, syntax errors, several documents).

It returns the data and the line of every key (``lines[("targets", "peak")] == 4``), which
validation uses to place its messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from peakpath.errors import InputError, Problem

#: deepest nesting accepted. The deepest path a scenario or batch file uses is five levels
#: (targets.limits[i].values.YEAR, monte_carlo.parameters[i].where.COLUMN); twenty leaves room
#: for any honest file and stops a "[[[[…" file long before Python's recursion limit
MAX_DEPTH = 20
#: largest file read. The shipped scenario and batch files are under 3 kB; a file of 1 MB is
#: not written by hand, and the pure-Python loader would take tens of seconds on it
MAX_BYTES = 1_000_000


class StrictLoader(yaml.SafeLoader):
    """The safe loader without duplicate keys, anchors or aliases, and with a depth limit."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise ConstructorError(None, None, f"alias '*{event.anchor}' found; aliases and "
                                   "anchors are not allowed: write the values out",
                                   event.start_mark)
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise ConstructorError(None, None, f"anchor '&{event.anchor}' found; anchors and "
                                   "aliases are not allowed: write the values out",
                                   event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ConstructorError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                       event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base class reports it
                break
            if first is not None:
                raise ConstructorError(
                    None, None, f"duplicate key '{key}' (first on line {first}); a key may "
                    "appear only once in a mapping", key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, what: str, what_zh: str) -> tuple[Any, dict[tuple, int]]:
    """Load one YAML document from ``path`` strictly; return it and the line of every key.

    ``what`` / ``what_zh`` name the kind of file in messages ("scenario file", "情景文件")."""
    file = str(path)
    text = _read_text(path, what, what_zh)
    lines: dict[tuple, int] = {}
    try:
        loader = StrictLoader(text)  # the reader refuses control characters at once
    except yaml.YAMLError as e:
        raise InputError([_yaml_problem(file, text, e)]) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        if node is not None:
            node_lines(node, (), lines, lambda k: loader.construct_object(k, deep=True))
    except yaml.YAMLError as e:
        raise InputError([_yaml_problem(file, text, e)]) from None
    finally:
        loader.dispose()
    return data, lines


def _read_text(path: Path, what: str, what_zh: str) -> str:
    file = str(path)

    def fail(rule: str, en: str, zh: str, row: int | None = None) -> InputError:
        return InputError([Problem(file, row, None, rule, en, zh)])

    if path.is_dir():
        raise fail("file", f"this is a folder; expected a {what} (YAML)",
                   f"此路径是文件夹，应为{what_zh}（YAML）")
    if not path.exists():
        raise fail("file", f"{what} not found", f"找不到{what_zh}")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise fail("file", f"{what} is {size:,} bytes; at most {MAX_BYTES:,} are read "
                       "(a scenario or batch file is a few kB)", f"文件过大（上限{MAX_BYTES}字节）")
        raw = path.read_bytes()
    except OSError as e:
        raise fail("file", f"cannot read the {what}: {e.strerror}", f"无法读取{what_zh}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise fail("encoding", f"not UTF-8 text (byte 0x{raw[e.start]:02x} at line {line}); "
                   "save the file as UTF-8", "文件须为UTF-8编码", line) from None


def _yaml_problem(file: str, text: str, e: yaml.YAMLError) -> Problem:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    row = mark.line + 1 if mark is not None else None
    if isinstance(e, yaml.reader.ReaderError):  # a control character: no mark, a position
        row = text.count("\n", 0, e.position) + 1
        detail = f"character #x{e.character:04x} is not allowed in YAML"
    else:
        detail = str(getattr(e, "problem", None) or e)
        context = getattr(e, "context", None)
        if context and "single document" in context:
            detail = "a file holds one document; found a second '---'"
    return Problem(file, row, None, "yaml", f"not valid YAML: {detail}", "YAML格式错误")


def node_lines(node: Node, prefix: tuple, out: dict[tuple, int],
               key_of: Callable[[Node], Any] | None = None) -> None:
    """The line of every key and list item below ``node``, keyed by its path. ``key_of``
    turns a key node into the key the data holds (``2025`` an int, not the text "2025")."""
    key_of = key_of or (lambda k: getattr(k, "value", None))
    if isinstance(node, MappingNode):
        for k, v in node.value:
            key = (*prefix, key_of(k))
            out[key] = k.start_mark.line + 1
            node_lines(v, key, out, key_of)
    elif isinstance(node, SequenceNode):
        for i, v in enumerate(node.value):
            out[(*prefix, i)] = v.start_mark.line + 1
            node_lines(v, (*prefix, i), out, key_of)
