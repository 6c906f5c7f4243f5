"""Uploaded forms waiting as an "Entwurf": checked, previewed, then published or discarded.

An Entwurf is one JSON file in the instance folder (`formular-entwuerfe/<id>.json`): the
`FormPackage` the XLSForm became, the file's name, who uploaded it and when. Nothing of it is in
the database, so it neither syncs nor needs a migration; publishing (kiosk.publishing) makes the
form version, and the file is removed then, or when the coordinator discards it.
"""

import dataclasses
import json
import os
import re
import secrets
from datetime import datetime
from functools import cached_property

from ..clock import utcnow
from ..files import private_folder, write_atomically
from ..formspec import FormSpec, FormSpecError
from ..formspec.package import FormPackage

FOLDER = "formular-entwuerfe"
UPLOAD_ID = re.compile(r"[0-9a-f]{16}")


@dataclasses.dataclass(frozen=True)
class Upload:
    id: str
    package: FormPackage
    filename: str
    uploaded_by: str
    uploaded_at: datetime

    @cached_property
    def spec(self) -> FormSpec:
        return self.package.spec()

    def to_dict(self) -> dict:
        return {
            "package": self.package.to_dict(),
            "filename": self.filename,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": self.uploaded_at.isoformat(),
        }


def folder_of(instance_path: str) -> str:
    return os.path.join(instance_path, FOLDER)


def path_of(instance_path: str, upload_id: str) -> str:
    return os.path.join(folder_of(instance_path), f"{upload_id}.json")


def keep(instance_path: str, package: FormPackage, filename: str, by: str) -> Upload:
    """Keep a checked package as a new Entwurf."""
    private_folder(folder_of(instance_path))
    upload = Upload(secrets.token_hex(8), package, filename, by, utcnow().replace(microsecond=0))
    data = json.dumps(upload.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    write_atomically(path_of(instance_path, upload.id), data)
    return upload


def find(instance_path: str, upload_id: str) -> Upload | None:
    """The Entwurf `upload_id`, or None (unknown, discarded, published, or no longer a form
    this program can read)."""
    if not UPLOAD_ID.fullmatch(upload_id or ""):
        return None
    try:
        with open(path_of(instance_path, upload_id), encoding="utf-8") as file:
            data = json.load(file)
        upload = Upload(
            upload_id,
            FormPackage.from_dict(data["package"]),
            data["filename"],
            data["uploaded_by"],
            datetime.fromisoformat(data["uploaded_at"]),
        )
        upload.spec  # noqa: B018 (checked now: a later program may refuse what an earlier took)
    except (OSError, ValueError, KeyError, TypeError, FormSpecError):
        return None
    return upload


def waiting(instance_path: str) -> list[Upload]:
    """Every Entwurf, the newest first."""
    try:
        names = os.listdir(folder_of(instance_path))
    except FileNotFoundError:
        return []
    found = (find(instance_path, name.removesuffix(".json")) for name in names)
    return sorted((u for u in found if u), key=lambda u: u.uploaded_at, reverse=True)


def discard(instance_path: str, upload_id: str) -> bool:
    """Remove the Entwurf; False when there was none."""
    if not UPLOAD_ID.fullmatch(upload_id or ""):
        return False
    try:
        os.remove(path_of(instance_path, upload_id))
    except FileNotFoundError:
        return False
    return True
