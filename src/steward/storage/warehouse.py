"""The analytics store: canonical tables behind an Ibis backend (an embedded DuckDB file by default).

Reads go through Ibis so one definition runs on any backend. Bulk writes need a
transaction and engine-side validation; the embedded DuckDB connection is exposed for
that (`sql_connection`), and the ingest service requires it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import ibis
from duckdb import DuckDBPyConnection
from ibis.backends import BaseBackend

from steward.domain.canonical import TABLES, ColumnType, Table

ENGINE_TYPES = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.TIMESTAMP: "TIMESTAMP",  # naive UTC by convention: tz-aware columns cost 1.5-2x
    ColumnType.INTEGER: "BIGINT",
    ColumnType.NUMBER: "DOUBLE",
    ColumnType.BOOLEAN: "BOOLEAN",
}
LINEAGE_COLUMN = "import_run_id"
SPARK_SCHEME = "pyspark"
SPARK_KEYS = ("master", "app_name", "database")
REJECTS_TABLE = "import_rejects"
REJECTS_DDL = f"""CREATE TABLE IF NOT EXISTS {REJECTS_TABLE} (
    import_run_id BIGINT, table_name VARCHAR, file VARCHAR, "row" BIGINT, field VARCHAR, reason VARCHAR, raw VARCHAR)"""


IBIS_TYPES = {
    ColumnType.STRING: "string",
    ColumnType.TIMESTAMP: "timestamp",
    ColumnType.INTEGER: "int64",
    ColumnType.NUMBER: "float64",
    ColumnType.BOOLEAN: "boolean",
}


def ibis_schema(table: Table) -> ibis.Schema:
    """The canonical table as an Ibis schema, for backends created through Ibis."""
    fields = {c.name: IBIS_TYPES[c.type] for c in table.columns}
    fields[LINEAGE_COLUMN] = "int64"
    return ibis.schema(fields)


class WarehouseError(Exception):
    """The warehouse cannot do what was asked (for example a backend without bulk-write support)."""


def table_ddl(table: Table) -> str:
    """CREATE TABLE statement for a canonical table plus its lineage column."""
    columns = [f'"{c.name}" {ENGINE_TYPES[c.type]}' for c in table.columns]
    columns.append(f"{LINEAGE_COLUMN} BIGINT")
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" ({", ".join(columns)})'


class Warehouse:
    """Canonical tables on an Ibis backend, connected lazily."""

    def __init__(self, url: str, memory_limit: str | None = None) -> None:
        self.url = url
        self.memory_limit = memory_limit
        self._backend: BaseBackend | None = None

    @property
    def backend(self) -> BaseBackend:
        if self._backend is None:
            self._backend = spark_backend(self.url) if self.is_spark else ibis.connect(self.url)
            if self.is_duckdb:
                # Progress is never printed by the engine itself; tracking it costs queries ~20%, so it is
                # switched on only while a bar follows a long import (`tracking_progress`).
                self._backend.con.execute("SET enable_progress_bar = false")
                self._backend.con.execute("SET enable_progress_bar_print = false")
                if self.memory_limit:
                    self._backend.con.execute("SET memory_limit = ?", [self.memory_limit])
        return self._backend

    @property
    def is_duckdb(self) -> bool:
        return self.url.startswith("duckdb:")

    @property
    def is_spark(self) -> bool:
        return self.url.startswith(f"{SPARK_SCHEME}:")

    @property
    def sql_connection(self) -> DuckDBPyConnection:
        """The embedded DuckDB connection, for transactional bulk writes."""
        if not self.is_duckdb:
            raise WarehouseError(
                f"bulk import needs the embedded DuckDB warehouse; {self.url.split(':')[0]} is read through Ibis only"
            )
        connection: DuckDBPyConnection = self.backend.con
        return connection

    @contextmanager
    def tracking_progress(self) -> Iterator[DuckDBPyConnection]:
        """The DuckDB connection with query progress tracked (for a progress bar) inside the block."""
        connection = self.sql_connection
        connection.execute("SET enable_progress_bar = true")
        try:
            yield connection
        finally:
            connection.execute("SET enable_progress_bar = false")

    def ensure_schema(self) -> None:
        """Create every canonical table that does not exist yet (on any backend)."""
        if not self.is_duckdb:
            existing = set(self.backend.list_tables())
            for table in TABLES.values():
                if table.name not in existing:
                    self.backend.create_table(table.name, schema=ibis_schema(table))
            return
        connection = self.sql_connection
        for table in TABLES.values():
            connection.execute(table_ddl(table))
            _add_new_columns(connection, table)
        connection.execute(REJECTS_DDL)

    def table(self, name: str) -> ibis.Table:
        return self.backend.table(name)

    def row_counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        return {name: int(self.table(name).count().execute()) for name in TABLES}

    def close(self) -> None:
        if self._backend is not None:
            self._backend.disconnect()
            self._backend = None

    @contextmanager
    def transaction(self) -> Iterator[DuckDBPyConnection]:
        """A DuckDB transaction: committed on success, rolled back on any exception or Ctrl-C."""
        connection = self.sql_connection
        connection.execute("BEGIN TRANSACTION")
        try:
            with _interrupting(connection):
                yield connection
        except BaseException as error:
            connection.execute("ROLLBACK")
            if _is_interruption(error):
                # The engine turns Ctrl-C into its own error; callers should see what the user did.
                raise KeyboardInterrupt("import interrupted") from error
            raise
        connection.execute("COMMIT")


@contextmanager
def _interrupting(connection: DuckDBPyConnection) -> Iterator[None]:
    """Ctrl-C stops the running statement too, not only the Python code around it.

    Python delivers SIGINT between bytecodes; a long DuckDB statement may never give it the chance
    (or take the pending signal for itself), so the handler also asks DuckDB to stop.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def stop(signum: int, frame: FrameType | None) -> None:
        connection.interrupt()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def local_spark_url(folder: Path) -> str:
    """A pyspark:// URL for Spark in local mode on this machine (2 cores, a 2 GiB driver, no web UI),
    keeping Spark's scratch, warehouse and Java temporary files inside `folder`."""
    for name in ("local", "java", "warehouse"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    options = {
        "master": "local[2]",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.driver.memory": "2g",
        "spark.local.dir": str(folder / "local"),
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={folder / 'java'}",
    }
    return "pyspark://?" + urlencode(options, quote_via=quote, safe="/[]")


def spark_backend(url: str) -> BaseBackend:
    """A Spark session from `pyspark://?master=spark://host:7077&spark.executor.memory=4g&...`.

    Ibis's own `pyspark://` URL sets options on a session that has already started, which Spark
    refuses for static ones (the master, memory, local and warehouse folders), so the session is
    built here. Keys: `master`, `app_name`, `database` (made current) and any `spark.*` option.
    """
    parts = urlsplit(url)
    if parts.netloc or parts.path.strip("/"):
        raise WarehouseError(
            f"{url}: a Spark warehouse is written pyspark://?master=spark://host:7077&spark.executor.memory=4g "
            "(every setting in the query string)"
        )
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(k for k in options if k not in SPARK_KEYS and not k.startswith("spark."))
    if unknown:
        raise WarehouseError(
            f"{url}: unknown Spark setting {', '.join(unknown)} (use master, app_name, database, spark.*)"
        )
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise WarehouseError("a pyspark:// warehouse needs PySpark: pip install 'steward[spark]'") from error
    builder = SparkSession.builder.appName(options.pop("app_name", "steward"))
    if "master" in options:
        builder = builder.master(options.pop("master"))
    database = options.pop("database", None)
    # Arrow makes the engine's small in-memory tables (the business-hours minute table) quick to ship.
    options.setdefault("spark.sql.execution.arrow.pyspark.enabled", "true")
    # Steward draws its own progress; Spark's console bars would garble the CLI's output.
    options.setdefault("spark.ui.showConsoleProgress", "false")
    # Timestamps are naive UTC by convention (Ibis forces this too); any other zone would shift them.
    options["spark.sql.session.timeZone"] = "UTC"
    for key, value in options.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if database:
        session.catalog.setCurrentDatabase(database)
    backend: BaseBackend = ibis.pyspark.connect(session)
    return backend


def _add_new_columns(connection: DuckDBPyConnection, table: Table) -> None:
    """Columns added to the canonical schema since the warehouse was made (empty for existing rows)."""
    found = connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main'",
        [table.name],
    ).fetchall()
    existing = {name for (name,) in found}
    for column in table.columns:
        if column.name not in existing:
            kind = ENGINE_TYPES[column.type]
            connection.execute(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')


def _is_interruption(error: BaseException) -> bool:
    import duckdb

    return isinstance(error, duckdb.InterruptException) or (
        isinstance(error, RuntimeError) and "interrupted" in str(error).lower()
    )
