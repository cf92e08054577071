"""Method + target + sub-resource query + selector headers → the catalog's Operation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ironbucket.api.operation import Operation, Target
from ironbucket.errors import MethodNotAllowed


class _Candidates:
    """The operations sharing one (method, target), most specific first, plus every query name
    and header that tells them apart — so a plain request is routed with one set test."""

    __slots__ = ("headers", "names", "ordered", "plain")

    def __init__(self, operations: list[Operation]) -> None:
        # Most specific first: "?uploadId&partNumber + x-amz-copy-source" before "?uploadId".
        self.ordered = sorted(operations, key=lambda o: -o.specificity)
        self.names = frozenset(n for o in operations for n in (*o.query, *(o.query_value or ())[:1]))
        self.headers = frozenset(o.header for o in operations if o.header)
        plain = [o for o in operations if o.specificity == 0]
        self.plain = plain[0] if plain else None


class Router:
    def __init__(self, operations: Iterable[Operation]) -> None:
        table: dict[tuple[str, Target], list[Operation]] = {}
        for op in operations:
            table.setdefault((op.method, op.target), []).append(op)
        self._table = {k: _Candidates(v) for k, v in table.items()}

    def route(self, method: str, target: Target, query: Mapping[str, str],
              headers: Mapping[str, str]) -> Operation:
        candidates = self._table.get((method, target))
        if candidates is not None:
            if (candidates.plain is not None and candidates.names.isdisjoint(query)
                    and candidates.headers.isdisjoint(headers)):
                return candidates.plain
            for op in candidates.ordered:
                if op.header is not None and op.header not in headers:
                    continue
                if any(name not in query for name in op.query):
                    continue
                if op.query_value is not None and query.get(op.query_value[0]) != op.query_value[1]:
                    continue
                return op
        raise MethodNotAllowed(Method=method, ResourceType=target.value.upper())
