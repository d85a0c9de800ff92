"""The one settings object: environment variables prefixed ARCHIVE_, optionally from a .env file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration. Passed down explicitly; read once through :func:`get_settings`."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="masters, derived images, SQLite file")
    database_url: str | None = Field(default=None, description="workflow store; default SQLite under data_dir")
    registry_url: str | None = Field(default=None, description="registry; default the workflow store's URL")
    schemas_dir: Path = Field(default=PROJECT_ROOT / "schemas", description="form templates, lexicons, rules")
    tessdata_dir: Path | None = Field(default=None, description="Tesseract language data; default the system's")
    ocr_timeout_s: float = Field(default=20.0, description="time limit for one OCR call")
    page_timeout_s: float = Field(default=120.0, description="time limit for one page through all stages")
    render_dpi: int = Field(default=300, description="resolution PDFs are rendered at")
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, description="pages processed at once")
    page_runner: Literal["threads", "processes", "dask"] = Field(
        default="threads", description="how pages run in parallel: threads of the flow, processes, or a Dask cluster"
    )
    dask_address: str | None = Field(
        default=None, description="Dask scheduler (tcp://host:8786) the pages go to when page_runner is dask"
    )
    max_image_pixels: int = Field(default=250_000_000, description="decompression-bomb guard (pixels)")
    thresholds_file: Path | None = Field(default=None, description="calibrated thresholds; default in schemas")
    secret_key: str | None = Field(default=None, description="web session signing key; generated if unset")
    prefect_ui_url: str | None = Field(
        default=None, description="Prefect UI address (http://server:4200): the batches page links each run to it"
    )
    reports_dir: Path | None = Field(default=None, description="daily progress reports; default data_dir/reports")

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.resolve()

    @property
    def workflow_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'archive.sqlite'}"

    @property
    def registry_database_url(self) -> str:
        return self.registry_url or self.workflow_url

    @property
    def masters_dir(self) -> Path:
        return self.resolved_data_dir / "masters"

    @property
    def derived_dir(self) -> Path:
        return self.resolved_data_dir / "derived"

    @property
    def resolved_reports_dir(self) -> Path:
        return (self.reports_dir or self.data_dir / "reports").resolve()

    @property
    def quarantine_dir(self) -> Path:
        return self.resolved_data_dir / "quarantine"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
