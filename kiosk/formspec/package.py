"""A form as it travels: its definition (our TOML) with the translations that came with it.

An XLSForm upload, a form published at the Stadthaus and a form pulled by a Treffpunkt are all a
`FormPackage`. Its checksum covers everything in it, so a site can verify what it pulled, and
two packages with the same content are the same version.
"""

import dataclasses
import hashlib
import json
from pathlib import PurePath

from .spec import FormSpec
from .toml_reader import load_form


@dataclasses.dataclass(frozen=True)
class FormPackage:
    slug: str
    # The form definition in the format of forms/*.toml (forms/README.md).
    source: str
    # {language code: {German msgid: its translation}}, visitor languages only, no "de".
    translations: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    # {language code: [msgids the file marks as checked by a native speaker ("geprüft")]}.
    reviewed: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def spec(self) -> FormSpec:
        """The checked form; raises FormSpecError naming the first problem."""
        return load_form(PurePath(f"{self.slug}.toml"), self.source)

    def to_dict(self) -> dict:
        return {
            "slug": self.slug,
            "source": self.source,
            "translations": {lang: dict(texts) for lang, texts in self.translations.items()},
            "reviewed": {lang: sorted(set(ids)) for lang, ids in self.reviewed.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "FormPackage":
        return cls(
            slug=data["slug"],
            source=data["source"],
            translations={
                lang: dict(texts) for lang, texts in data.get("translations", {}).items()
            },
            reviewed={lang: list(ids) for lang, ids in data.get("reviewed", {}).items()},
        )

    @property
    def checksum(self) -> str:
        """SHA-256 (hex) of the canonical JSON of everything in the package."""
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
