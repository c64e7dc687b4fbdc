"""Operational records (import runs, and later evaluations, contracts, users) via SQLAlchemy.

The schema is owned by Alembic migrations; `Records.migrate()` brings any SQLite or
PostgreSQL database to the latest revision before use.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    """Declarative base of every records table."""


class ImportRun(Base):
    """One `steward import` of one file: what was read, stored and rejected, and the file's hash."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # running, completed, failed, interrupted
    importer: Mapped[str] = mapped_column(String(50), nullable=False)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_bytes: Mapped[int | None] = mapped_column(BigInteger)
    vendor: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_inserted: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_updated: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_unchanged: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    tables: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reject_report: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class ScorecardRecord(Base):
    """One evaluated contract period, kept so later periods can look back (earnback, chronic
    failure, ratchets). A closed period is never overwritten: a re-evaluation is a new revision."""

    __tablename__ = "scorecard_evaluations"
    __table_args__ = (UniqueConstraint("contract", "period", "revision", name="uq_scorecard_revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract: Mapped[str] = mapped_column(String(100), nullable=False)
    vendor: Mapped[str] = mapped_column(String(100), nullable=False)
    period: Mapped[str] = mapped_column(String(7), nullable=False)  # YYYY-MM
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    version: Mapped[str] = mapped_column(String(120), nullable=False)
    contract_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    net_adjustment: Mapped[str] = mapped_column(String(40), nullable=False)  # Decimal as text: exact everywhere
    scorecard: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class QaEvaluation(Base):
    """One QA evaluation: who scored which interaction with which scorecard version, every answer
    and comment, and the score those answers give (mirrored into the warehouse's qa_results)."""

    __tablename__ = "qa_evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    interaction_source: Mapped[str] = mapped_column(String(50), nullable=False)
    interaction_id: Mapped[str] = mapped_column(String(200), nullable=False)
    vendor: Mapped[str] = mapped_column(String(100), nullable=False)
    queue: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(20))
    agent_id: Mapped[str | None] = mapped_column(String(100))
    evaluator: Mapped[str] = mapped_column(String(100), nullable=False)
    scorecard: Mapped[str] = mapped_column(String(100), nullable=False)
    scorecard_version: Mapped[str] = mapped_column(String(120), nullable=False)
    sample: Mapped[str] = mapped_column(String(20), nullable=False)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    score: Mapped[float | None] = mapped_column(Float)
    raw_score: Mapped[float | None] = mapped_column(Float)
    failed: Mapped[str] = mapped_column(String(20), nullable=False)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    imported: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What a QA tool's export said, as imported: a re-import is compared with this, not with
    answers a dispute has changed since."""


class QaDispute(Base):
    """A dispute of some questions of one evaluation, and the arbitrator's decision."""

    __tablename__ = "qa_disputes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    raised_by: Mapped[str] = mapped_column(String(100), nullable=False)
    raised_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    questions: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)  # id -> {comment, proposed}
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # open, accepted, partially_accepted, rejected
    arbitrator: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    resolution_comment: Mapped[str | None] = mapped_column(Text)


class QaAuditEntry(Base):
    """What changed on an evaluation, when, by whom and why (never updated, only added)."""

    __tablename__ = "qa_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class QaCoachingItem(Base):
    """A coaching item for an agent, opened by a QA trigger, with an owner, a due date and a status."""

    __tablename__ = "qa_coaching_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    vendor: Mapped[str] = mapped_column(String(100), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    owner: Mapped[str | None] = mapped_column(String(100))
    due: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # open, done, cancelled
    opened_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class QaCalibrationSession(Base):
    """A calibration session: who scores which interactions with which scorecard version, blind
    until it is closed, against an expert or the consensus."""

    __tablename__ = "qa_calibration_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    scorecard: Mapped[str] = mapped_column(String(100), nullable=False)
    scorecard_version: Mapped[str] = mapped_column(String(120), nullable=False)
    interactions: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    evaluators: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    expert: Mapped[str | None] = mapped_column(String(100))
    tolerance: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # open, closed
    opened_by: Mapped[str] = mapped_column(String(100), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class QaCalibrationAnswer(Base):
    """One evaluator's answers on one interaction of a calibration session."""

    __tablename__ = "qa_calibration_answers"
    __table_args__ = (UniqueConstraint("session_id", "evaluator", "interaction_id", name="uq_calibration_answer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    evaluator: Mapped[str] = mapped_column(String(100), nullable=False)
    interaction_id: Mapped[str] = mapped_column(String(200), nullable=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class QaMysteryShop(Base):
    """A planned test contact: which vendor, scenario and channel, by when, scored on which
    scorecard, and the evaluation once it is scored."""

    __tablename__ = "qa_mystery_shops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vendor: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    scenario: Mapped[str] = mapped_column(String(200), nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    scorecard: Mapped[str] = mapped_column(String(100), nullable=False)
    due: Mapped[date] = mapped_column(Date, nullable=False)
    shopper: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # planned, done, cancelled
    evaluation_id: Mapped[str | None] = mapped_column(String(40))
    planned_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)


class Records:
    """The records store: an engine, sessions and migrations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Upgrade the database to the newest migration."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def session(self) -> Session:
        return self.sessions()

    def add(self, record: Base) -> None:
        with self.session() as session, session.begin():
            session.add(record)

    def save(self, record: Base) -> None:
        with self.session() as session, session.begin():
            session.merge(record)

    def import_runs(self, limit: int = 10) -> list[ImportRun]:
        with self.session() as session:
            return list(session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))

    def scorecards(self, contract: str) -> dict[str, ScorecardRecord]:
        """The latest revision of every stored period of `contract`, by period."""
        with self.session() as session:
            rows = session.scalars(
                select(ScorecardRecord)
                .where(ScorecardRecord.contract == contract)
                .order_by(ScorecardRecord.period, ScorecardRecord.revision)
            )
            return {row.period: row for row in rows}

    def qa_evaluations(self) -> list[QaEvaluation]:
        with self.session() as session:
            return list(session.scalars(select(QaEvaluation).order_by(QaEvaluation.id)))

    def close(self) -> None:
        self.engine.dispose()
