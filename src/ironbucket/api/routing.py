"""Method + target + sub-resource query + selector headers → the catalog's Operation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ironbucket.api.operation import Operation, Target
from ironbucket.errors import MethodNotAllowed


class Router:
    def __init__(self, operations: Iterable[Operation]) -> None:
        table: dict[tuple[str, Target], list[Operation]] = {}
        for op in operations:
            table.setdefault((op.method, op.target), []).append(op)
        # Most specific first: "?uploadId&partNumber + x-amz-copy-source" before "?uploadId".
        self._table = {k: sorted(v, key=lambda o: -o.specificity) for k, v in table.items()}

    def route(self, method: str, target: Target, query: Mapping[str, str],
              headers: Mapping[str, str]) -> Operation:
        for op in self._table.get((method, target), ()):
            if op.header is not None and op.header not in headers:
                continue
            if any(name not in query for name in op.query):
                continue
            if op.query_value is not None and query.get(op.query_value[0]) != op.query_value[1]:
                continue
            return op
        raise MethodNotAllowed(Method=method, ResourceType=target.value.upper())
