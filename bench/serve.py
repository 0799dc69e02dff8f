"""``gongzhi serve --workers N --port P --quiet`` of the code in the working directory,
for the benches, with a longer worker health check.

python bench/serve.py WORKERS PORT   (run with the code's folder as working directory)

uvicorn restarts a worker that does not answer its supervisor's ping within 5 s;
on the shared 2-core machine under load, four workers importing the portal at once
take longer than that and are restarted forever (``gongzhi serve --workers 4`` at
load average 8-11, this code and the previous alike). The benches give them two
minutes; everything else is what ``gongzhi serve`` does (web/cli.py).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.getcwd())

import uvicorn

from web.ops.logs import log_config
from web.ops.metrics import shared_between_workers

if __name__ == "__main__":
    workers, port = int(sys.argv[1]), int(sys.argv[2])
    with shared_between_workers(workers):
        uvicorn.run(
            "web.asgi:app",
            host="127.0.0.1",
            port=port,
            workers=workers,
            proxy_headers=True,
            log_config=log_config("WARNING"),
            access_log=False,
            timeout_worker_healthcheck=120,
        )
