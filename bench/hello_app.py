"""A bare Flask app on waitress: the floor under every page `kiosk serve` answers (bench baseline).

No database, no templates, no session, no CSRF: GET / returns a short page and POST /echo parses
a small form body and returns a short page. Served the way `kiosk serve` serves the kiosk
(waitress, 8 threads, loopback only).

    .venv/bin/python bench/hello_app.py --port 8099
"""

import argparse

import waitress
from flask import Flask, request

app = Flask(__name__)

PAGE = "<!doctype html><html lang='de'><title>Hallo</title><main><p>Hallo!</p></main></html>"


@app.get("/")
def hello():
    return PAGE


@app.post("/echo")
def echo():
    # Parse the body, as the kiosk does with every answer.
    return f"<!doctype html><title>Hallo</title><p>{len(request.form)} Felder</p>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.threads, ident="hello")


if __name__ == "__main__":
    main()
