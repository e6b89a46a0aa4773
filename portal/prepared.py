"""Writes on the sign-in's hot path, compiled by SQLAlchemy once per dialect and sent with
`Connection.exec_driver_sql`.

`connection.execute(statement, params)` looks the statement up in the compiled cache and builds its execution
context from the compiled form on every call: about 130,000 instructions an UPDATE on SQLite, against 20,000 for
the driver's own execute (bench/README.md). A `Prepared` statement takes its SQL string, its own values (a
literal such as `failure_count=0`) and each parameter's type conversion (a datetime to SQLite's text form) from
SQLAlchemy's compilation once; each call only converts the values and hands the string to the driver through the
same connection (its transaction, pool, events and error handling). The SQL sent and the values bound are the
ones `execute` would send (tests/security/test_prepared.py).

For INSERT, UPDATE and DELETE, and a SELECT whose values need no conversion (the driver's rows are returned as
they come): a SELECT of stored columns is cheaper through `execute`, which keeps its result's description compiled.
Plain parameters only: no "expanding" IN lists, no literal-rendered parameters.
"""
from dataclasses import dataclass
from functools import cache
from typing import Callable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    own: dict  # the values the statement carries itself, by parameter name
    required: tuple[str, ...]  # the parameters a call must give
    order: tuple[str, ...] | None  # positional parameter names in order (qmark, numeric), or None: by name
    binds: tuple[tuple[str, Callable], ...]  # (name, conversion) for each parameter whose type converts


class Prepared:
    def __init__(self, statement):
        self.statement = statement
        self._by_dialect: dict = {}

    def execute(self, connection, params: dict):
        """Run it on `connection` (a SQLAlchemy Connection) with `params` (extra keys are ignored); the driver's
        result (rowcount, rows)."""
        compiled = self._by_dialect.get(connection.dialect) or self._compile(connection.dialect)
        values = {**compiled.own, **{name: params[name] for name in compiled.required}}  # KeyError: one missing
        for name, convert in compiled.binds:
            values[name] = convert(values[name])
        if compiled.order is not None:
            values = tuple(values[name] for name in compiled.order)
        return connection.exec_driver_sql(compiled.sql, values)

    def _compile(self, dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        names = {}  # each parameter by the name it has in the SQL, once however often the SQL uses it
        for bind, name in compiled.bind_names.items():
            if bind.expanding or bind.literal_execute:
                raise ValueError(f"{name}: Prepared takes plain parameters only")
            names[compiled.escaped_bind_names.get(name, name)] = bind
        binds = tuple((name, convert) for name, bind in names.items()
                      if (convert := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None)
        own = {name: bind.effective_value for name, bind in names.items() if not bind.required}
        required = tuple(name for name, bind in names.items() if bind.required)
        order = tuple(compiled.positiontup) if dialect.positional else None
        self._by_dialect[dialect] = made = _Compiled(compiled.string, own, required, order, binds)
        return made


@cache
def prepared(statement) -> Prepared:
    """The Prepared form of a statement built once (a module constant, or one built once per shape)."""
    return Prepared(statement)
