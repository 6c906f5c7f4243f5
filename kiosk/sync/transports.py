"""Transports: deliver one report to a hub (HTTPS), by email (SMTP) or into a folder.

Each `deliver_*` returns a receipt (the hub's, the email's Message-ID, or the written path)
or raises DeliveryError with a German message for the coordinators' status page. Errors that
will not go away by waiting (a refused token, a conflicting report) are marked `permanent`;
they are still retried, but only at the longest interval.
"""

import contextlib
import email.message
import email.utils
import functools
import http.client
import json
import os
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
import uuid

from ..files import write_atomically
from ..reports.store import record_bytes

DEFAULT_TIMEOUT = 30
DASH = "\N{EN DASH}"


class DeliveryError(Exception):
    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def deliver(target: dict, record: dict, pdf_path: str) -> str:
    """Deliver to any kind of target; the receipt, or DeliveryError."""
    transport = {"hub": deliver_to_hub, "email": deliver_by_email, "folder": deliver_to_folder}
    return transport[target["type"]](target, record, pdf_path)


def read_pdf(pdf_path: str) -> bytes:
    try:
        with open(pdf_path, "rb") as pdf:
            return pdf.read()
    except OSError as error:
        raise DeliveryError(f"Berichtsdatei {pdf_path} nicht lesbar ({error.strerror})") from None


# --- hub -------------------------------------------------------------------------------------

HUB_REFUSALS = {
    400: "Der Stadthaus-Server lehnt den Bericht als fehlerhaft ab",
    401: "Der Stadthaus-Server kennt das Zugangs-Token nicht (falsch oder widerrufen)",
    403: "Das Zugangs-Token gehört zu einem anderen Treffpunkt",
    409: "Der Stadthaus-Server hat bereits einen anderen Bericht mit dieser Kennung",
    413: "Der Bericht ist zu groß für den Stadthaus-Server",
}


@functools.lru_cache
def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Certificates checked against the system's CAs, or `ca_file`; made once (loading is slow)."""
    return ssl.create_default_context(cafile=ca_file)


def hub_endpoint(target: dict, path: str) -> str:
    return target["url"].rstrip("/") + path


def multipart(parts: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """(body, content type) for form parts (name, filename, content type, data)."""
    boundary = uuid.uuid4().hex
    chunks = []
    for name, filename, content_type, data in parts:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        chunks.append(data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def hub_request(target: dict, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
    """POST to the hub; (status, JSON answer) for any HTTP answer, DeliveryError otherwise."""
    request = urllib.request.Request(
        hub_endpoint(target, path),
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {target['token']}",
            "Content-Type": content_type,
            "Accept": "application/json",
        },
    )
    context = tls_context(target.get("ca_file")) if target["url"].startswith("https:") else None
    timeout = target.get("timeout", DEFAULT_TIMEOUT)
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return response.status, parse_json(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, parse_json(error.read())
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        raise DeliveryError(connection_problem("Stadthaus-Server", error, timeout)) from None


def parse_json(data: bytes) -> dict:
    with contextlib.suppress(ValueError):
        answer = json.loads(data)
        if isinstance(answer, dict):
            return answer
    return {}


def connection_problem(who: str, error: Exception, timeout: float) -> str:
    """A plain German sentence for a failed connection to `who`."""
    reason = getattr(error, "reason", error)
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"{who}: Zertifikat ungültig ({reason.verify_message})"
    if isinstance(reason, ssl.SSLError):
        return f"{who}: verschlüsselte Verbindung fehlgeschlagen ({reason.reason})"
    if isinstance(reason, ConnectionRefusedError):
        return f"{who} nicht erreichbar (Verbindung abgelehnt)"
    if isinstance(reason, TimeoutError):
        return f"{who} antwortet nicht (keine Antwort nach {timeout} Sekunden)"
    if isinstance(reason, socket.gaierror):
        return f"{who} nicht erreichbar (Name unbekannt: Internet oder Adresse prüfen)"
    if isinstance(reason, ConnectionError | EOFError | http.client.HTTPException):
        return f"{who}: Verbindung abgebrochen, bevor eine Antwort kam"
    return f"{who} nicht erreichbar ({reason})"


def refusal(status: int, answer: dict) -> DeliveryError:
    message = answer.get("message")
    if status in HUB_REFUSALS:
        text = HUB_REFUSALS[status] + (f" ({message})" if message else "")
        return DeliveryError(text, permanent=True)
    return DeliveryError(f"Der Stadthaus-Server meldet einen Fehler (HTTP {status})")


def deliver_to_hub(target: dict, record: dict, pdf_path: str) -> str:
    period = record["period"]["key"]
    body, content_type = multipart(
        [
            ("record", f"{period}.json", "application/json", record_bytes(record)),
            ("pdf", f"{period}.pdf", "application/pdf", read_pdf(pdf_path)),
        ]
    )
    status, answer = hub_request(target, "/api/v1/reports", body, content_type)
    if status in (200, 201) and answer.get("uuid") == record["uuid"]:
        return str(answer.get("receipt") or answer["uuid"])
    if status in (200, 201):
        raise DeliveryError("Der Stadthaus-Server hat unverständlich geantwortet")
    raise refusal(status, answer)


def send_heartbeat(target: dict, payload: dict) -> str:
    """POST a heartbeat; the hub's time of receipt, or DeliveryError."""
    body = json.dumps(payload).encode()
    status, answer = hub_request(target, "/api/v1/heartbeat", body, "application/json")
    if status == 200:
        return str(answer.get("received_at", ""))
    raise refusal(status, answer)


# --- email -----------------------------------------------------------------------------------


def message_id(target: dict, record: dict) -> str:
    """The same Message-ID for every attempt, so receivers can drop a second copy."""
    domain = target["sender"].rpartition("@")[2] or "mittendrin.invalid"
    return f"<bericht-{record['uuid']}.{target['name']}@{domain}>"


def figure_line(figure: dict, previous_name: str) -> str:
    unit = f" {figure['unit']}" if figure.get("unit") else ""
    before = (figure.get("previous") or {}).get("text", DASH)
    change = f", {figure['change']}" if figure.get("change") else ""
    return (
        f"- {figure['label']}: {figure['current']['text']}{unit} "
        f"({previous_name}: {before}{change})"
    )


def email_body(record: dict) -> str:
    summary = record.get("summary", {})
    period = record["period"]
    previous_name = period.get("previous_name", "Zeitraum davor")
    lines = [
        "Guten Tag,",
        "",
        f"anbei der Bericht des {record['site']['name']} für {period['label']} "
        f"({period.get('range_label', '')}).",
        *replacement_lines(record),
        "",
        "Kennzahlen:",
        *(figure_line(figure, previous_name) for figure in summary.get("key_figures", [])),
    ]
    if summary.get("sentences"):
        lines += ["", "Das Wichtigste:", *(f"- {s}" for s in summary["sentences"])]
    lines += [
        "",
        "Kleine Zahlen sind verdeckt („<3“, „•“), damit niemand erkennbar wird.",
        f"Kennung des Berichts: {record['uuid']}",
        "",
        "Diese Nachricht wurde vom Mittendrin-Kiosk automatisch verschickt.",
    ]
    return "\n".join(lines) + "\n"


def replacement_lines(record: dict) -> list[str]:
    """For a report built again (kiosk/reports/versions.py): that it replaces the earlier one."""
    if record.get("version", 1) < 2:
        return []
    return [
        "",
        f"Dies ist Fassung {record['version']} des Berichts: Er wurde neu erstellt, weil ein "
        "Eintrag gelöscht oder ein Kommentar zurückgezogen wurde, und ersetzt die frühere "
        "Fassung. Bitte verwenden Sie nur noch diese.",
    ]


def report_email(target: dict, record: dict, pdf: bytes) -> email.message.EmailMessage:
    message = email.message.EmailMessage()
    message["Subject"] = f"Mittendrin-Bericht {record['site']['name']} {record['period']['label']}"
    message["From"] = target["sender"]
    message["To"] = ", ".join(target["recipients"])
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = message_id(target, record)
    message.set_content(email_body(record))
    filename = f"Bericht-{record['site']['slug']}-{record['period']['key']}.pdf"
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message


def deliver_by_email(target: dict, record: dict, pdf_path: str) -> str:
    message = report_email(target, record, read_pdf(pdf_path))
    try:
        with smtp_session(target) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(
            "Anmeldung am SMTP-Server fehlgeschlagen (Benutzername oder Passwort prüfen)",
            permanent=True,
        ) from None
    except smtplib.SMTPRecipientsRefused as error:
        refused = ", ".join(error.recipients)
        raise DeliveryError(
            f"Der SMTP-Server nimmt die Empfänger nicht an: {refused}", permanent=True
        ) from None
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode(errors="replace")
        permanent = 500 <= error.smtp_code < 600
        raise DeliveryError(
            f"Der SMTP-Server lehnt ab ({error.smtp_code} {text})", permanent
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        timeout = target.get("timeout", DEFAULT_TIMEOUT)
        raise DeliveryError(smtp_problem(target, error, timeout)) from None
    return message["Message-ID"]


def smtp_problem(target: dict, error: Exception, timeout: float) -> str:
    if isinstance(error, smtplib.SMTPNotSupportedError | StartTlsMissing):
        return "Der SMTP-Server bietet kein STARTTLS an; ohne Verschlüsselung wird nicht gesendet"
    where = f"SMTP-Server {target['host']}:{target.get('port', 587)}"
    return connection_problem(where, error, timeout)


class StartTlsMissing(smtplib.SMTPException):
    pass


@contextlib.contextmanager
def smtp_session(target: dict):
    """A connected SMTP session: STARTTLS unless the target says no, then login if configured."""
    timeout = target.get("timeout", DEFAULT_TIMEOUT)
    with smtplib.SMTP(target["host"], target.get("port", 587), timeout=timeout) as smtp:
        smtp.ehlo()
        if target.get("starttls", True):
            if not smtp.has_extn("starttls"):
                raise StartTlsMissing()
            smtp.starttls(context=tls_context(target.get("ca_file")))
            smtp.ehlo()
        if target.get("username"):
            smtp.login(target["username"], target.get("password", ""))
        yield smtp


# --- folder ----------------------------------------------------------------------------------


def deliver_to_folder(target: dict, record: dict, pdf_path: str) -> str:
    """<path>/<site>/<period>.pdf and .json, each written whole or not at all."""
    root = target["path"]
    if not os.path.isdir(root):
        raise DeliveryError(f"Ordner {root} nicht vorhanden (USB-Stick oder Freigabe verbunden?)")
    folder = os.path.join(root, record["site"]["slug"])
    stem = os.path.join(folder, record["period"]["key"])
    try:
        os.makedirs(folder, exist_ok=True)
        write_atomically(stem + ".pdf", read_pdf(pdf_path))
        write_atomically(stem + ".json", record_bytes(record))
    except PermissionError:
        raise DeliveryError(f"Ordner {folder} nicht beschreibbar") from None
    except OSError as error:
        raise DeliveryError(f"Schreiben in den Ordner {folder} fehlgeschlagen ({error})") from None
    return stem + ".pdf"
