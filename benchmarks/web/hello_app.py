"""The floor: a bare FastAPI hello-world on the same uvicorn settings as `crampwise serve`.

`python hello_app.py PORT [WORKERS]`: WORKERS uvicorn worker processes on one socket, as
`crampwise serve --workers N` runs them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


if __name__ == "__main__":
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    uvicorn.run(
        "hello_app:app" if workers > 1 else app,  # worker processes import the app by name
        app_dir=str(Path(__file__).resolve().parent),
        workers=workers,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http="httptools",
        lifespan="off",
        server_header=False,
        log_level="warning",
        access_log=False,
    )
