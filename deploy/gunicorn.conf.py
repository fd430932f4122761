"""gunicorn settings for the hub behind nginx (deploy/nginx/ponte.conf); see deploy/README.md.

`gunicorn -c deploy/gunicorn.conf.py wsgi:app`. Only nginx talks to these workers: it has read each
request whole before it connects, so a sync worker is never held by a slow client.
"""

import os

bind = os.environ.get("HUB_BIND", "127.0.0.1:8000")  # loopback: never expose sync workers directly
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = 60  # a worker silent this long is killed and replaced; nginx waits 75 s (proxy_read_timeout)
graceful_timeout = 30
keepalive = 2
# Header limits at least as strict as nginx's large_client_header_buffers (4 x 16k).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 16384
# X-Forwarded-Proto from nginx on this machine is believed (https links behind TLS termination).
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
