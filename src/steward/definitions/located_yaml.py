"""YAML that remembers where everything was written, so every problem is reported as file:line.

Definition files are edited by hand; a message such as "vendors[1].timezone: unknown time zone"
is only useful when it also says on which line. Loading here keeps the line of every key and
list item, turns pydantic's errors into `DefinitionIssue`s (all of them at once, not the first)
and turns malformed YAML into an issue instead of a traceback.

Scalars are loaded as text (only `null`, `~` and empty values become None) and the pydantic
models type them: YAML 1.1's implicit typing would turn `Yes`, `NO` or `010` in a value map
into True, False and 8, and the original spelling could never be matched again.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

KeyPath = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)

_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_DEPTH = 200


class _TextLoader(yaml.SafeLoader):
    """SafeLoader whose plain scalars stay text, except null (and `<<` merges)."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag in (_NULL_TAG, _MERGE_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class DefinitionIssue:
    """One problem in a definition file, where it is and what is wrong."""

    file: Path
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class DefinitionError(Exception):
    """A definition file that cannot be used; carries every issue found."""

    def __init__(self, issues: Sequence[DefinitionIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass(frozen=True)
class LocatedYaml:
    """Plain Python data from a YAML file plus the line of every key and list item."""

    file: Path
    data: Any
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    issues: tuple[DefinitionIssue, ...] = ()
    """Problems the YAML itself has although it parses, such as a key written twice."""

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of `path` (keys and list indexes), or of its nearest written ancestor."""
        parts = tuple(str(part) for part in path)
        while True:
            if parts in self.lines:
                return self.lines[parts]
            if not parts:
                return None
            parts = parts[:-1]


def parse_located(text: str, file: Path, *, text_scalars: bool = True) -> LocatedYaml:
    """Parse YAML text; raises DefinitionError (with the line) when it is not valid YAML."""
    try:
        # The reader rejects control characters as soon as it is built, so building it can fail too.
        loader: yaml.SafeLoader = _TextLoader(text) if text_scalars else yaml.SafeLoader(text)
    except yaml.reader.ReaderError as error:
        message = f"invalid YAML: character {error.character!r} at position {error.position} is not allowed"
        raise DefinitionError([DefinitionIssue(file, None, "", message)]) from error
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        raise DefinitionError([_syntax_issue(file, error)]) from error
    except yaml.YAMLError as error:
        raise DefinitionError([DefinitionIssue(file, None, "", f"invalid YAML: {error}")]) from error
    finally:
        loader.dispose()
    recorder = _LineRecorder(file)
    if node is not None:
        recorder.record(node)
    return LocatedYaml(file, data, recorder.lines, tuple(recorder.duplicates))


def load_located(path: Path, *, text_scalars: bool = True) -> LocatedYaml:
    """Read and parse a YAML file; raises DefinitionError when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise DefinitionError([DefinitionIssue(path, None, "", "no such file")]) from error
    except UnicodeDecodeError as error:
        raise DefinitionError([DefinitionIssue(path, None, "", f"not UTF-8 text ({error.reason})")]) from error
    except OSError as error:
        raise DefinitionError([DefinitionIssue(path, None, "", f"cannot be read: {error.strerror}")]) from error
    return parse_located(text, path, text_scalars=text_scalars)


def load_model(path: Path, model: type[Model]) -> Model | list[DefinitionIssue]:
    """The file as `model`, or every problem with its line; an empty file is an empty mapping."""
    try:
        located = load_located(path)
    except DefinitionError as error:
        return list(error.issues)
    try:
        loaded = model.model_validate({} if located.data is None else located.data)
    except ValidationError as error:
        return sorted_issues([*located.issues, *validation_issues(error, located, model)])
    return sorted_issues(located.issues) or loaded


def validation_issues(
    error: ValidationError, located: LocatedYaml, model: type[BaseModel] | None = None
) -> list[DefinitionIssue]:
    """One issue per pydantic error, located at the key (or nearest enclosing key) it is about.

    With `model`, an unknown key is reported with the keys allowed there and the likely typo.
    """
    issues = []
    for details in error.errors(include_url=False):
        loc = tuple(part for part in details["loc"] if part != "[key]")
        message = _message(details, model, loc)
        issues.append(DefinitionIssue(located.file, located.line_of(loc), dotted(loc), message))
    return issues


def sorted_issues(issues: Sequence[DefinitionIssue]) -> list[DefinitionIssue]:
    """Issues in file order (unlocated ones first), each reported once."""
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda issue: (str(issue.file), issue.line or 0))


def dotted(path: Sequence[str | int]) -> str:
    """`vendors[0].timezone` for ("vendors", 0, "timezone")."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _syntax_issue(file: Path, error: yaml.MarkedYAMLError) -> DefinitionIssue:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "cannot be parsed"
    context = f" ({error.context})" if error.context else ""
    if (
        error.context
        and error.context_mark
        and error.problem_mark
        and error.context_mark.line != error.problem_mark.line
    ):
        context = f" ({error.context} that starts on line {error.context_mark.line + 1})"
    return DefinitionIssue(file, mark.line + 1 if mark else None, "", f"invalid YAML: {problem}{context}")


@dataclass
class _LineRecorder:
    """Walks the composed YAML nodes, noting the line of every key and item and any key written twice."""

    file: Path
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    duplicates: list[DefinitionIssue] = field(default_factory=list)

    def record(self, node: yaml.Node, path: KeyPath = (), depth: int = 0) -> None:
        self.lines.setdefault(tuple(str(part) for part in path), node.start_mark.line + 1)
        if depth > _MAX_DEPTH:  # an alias that contains itself; the model reports its data
            return
        if isinstance(node, yaml.MappingNode):
            first_seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "<complex key>"
                line = key_node.start_mark.line + 1
                if key in first_seen:
                    message = f"key {key!r} is written twice (first on line {first_seen[key]}); remove one"
                    self.duplicates.append(DefinitionIssue(self.file, line, dotted((*path, key)), message))
                first_seen.setdefault(key, line)
                self.lines[tuple(str(part) for part in (*path, key))] = line
                self.record(value_node, (*path, key), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.record(item, (*path, index), depth + 1)


def _message(details: ErrorDetails, model: type[BaseModel] | None, loc: KeyPath) -> str:
    kind, message, given = details["type"], str(details["msg"]), details.get("input")
    if kind == "extra_forbidden":
        return _unknown_key_message(model, loc)
    if kind == "missing":
        return "required setting is missing"
    if kind in ("model_type", "dict_type"):
        return f"expected settings written as `key: value` lines, found {_yaml_kind(given)}"
    if message.startswith(("Value error, ", "Assertion failed, ")):
        return message.split(", ", 1)[1]
    if isinstance(given, str | int | float | bool) and repr(given) not in message:
        return f"{message} (got {given!r})"
    return message


def _yaml_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else f"the value {value!r}"


def _unknown_key_message(model: type[BaseModel] | None, loc: KeyPath) -> str:
    allowed = _allowed_keys(model, loc[:-1]) if model is not None else None
    if not allowed or not loc:
        return "unknown setting"
    typo = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"; did you mean {typo[0]!r}?" if typo else ""
    return f"unknown setting (allowed here: {', '.join(allowed)}){hint}"


def _allowed_keys(model: type[BaseModel], loc: KeyPath) -> list[str] | None:
    """Field names of the model found by following `loc` through nested models and lists."""
    current: object = model
    for part in loc:
        current = _inner(current, part)
        if current is None:
            return None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return None


def _inner(annotation: object, part: str | int) -> object:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(part, str):
        found = annotation.model_fields.get(part)
        return _unwrap_optional(found.annotation) if found else None
    origin = get_origin(annotation)
    if isinstance(part, int) and origin in (list, tuple, set, frozenset):
        arguments = [a for a in get_args(annotation) if a is not Ellipsis]
        return _unwrap_optional(arguments[0]) if arguments else None
    if isinstance(part, str) and origin is dict:
        return _unwrap_optional(get_args(annotation)[1])
    return None


def _unwrap_optional(annotation: object) -> object:
    if get_origin(annotation) in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation


def only_comments(path: Path) -> bool:
    """A file holding nothing but comments (the commented examples `steward init` writes)."""
    try:
        return load_located(path).data is None
    except DefinitionError:  # a file that cannot be read or parsed is reported by load_model
        return False
