"""gunicorn settings for worksafe (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py`.

Behind nginx (deploy/nginx/worksafe.conf) on a Unix socket; the environment file the systemd unit
reads (/etc/worksafe/worksafe.env) holds the Django settings (WORKSAFE_ENV=production, DATABASE_URL,
...). WORKSAFE_BIND, WORKSAFE_WORKERS, WORKSAFE_THREADS, WORKSAFE_TIMEOUT and WORKSAFE_MAX_REQUESTS override the defaults
below (CI binds a loopback port).
"""

import multiprocessing
import os

wsgi_app = "worksafe.wsgi:application"
raw_env = ["DJANGO_SETTINGS_MODULE=worksafe.settings"]

bind = [b for b in os.environ.get("WORKSAFE_BIND", "unix:/run/worksafe/gunicorn.sock").split(",") if b]
# threads serve slow clients and exports while a worker waits on the database; processes use the cores
workers = int(os.environ.get("WORKSAFE_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("WORKSAFE_THREADS", "4"))
# a plan import or an .xlsx export of a whole register can take a while; nginx waits 120 s too
timeout = int(os.environ.get("WORKSAFE_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# recycle workers now and then (a leak cannot grow for ever); jitter so they do not restart together
# A worker is replaced after about 2000 requests (a leak cannot grow for ever). Replacing it closes
# its idle keep-alive connections; nginx retries on a fresh one, but a client that talks to gunicorn
# directly over keep-alive sees a reset: CI's fuzz does, so it sets WORKSAFE_MAX_REQUESTS=0 (never).
max_requests = int(os.environ.get("WORKSAFE_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# load the app once in the master: faster worker start; Django opens database connections lazily,
# per worker, so none is shared across the fork
preload_app = True
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# X-Forwarded-* are trusted from nginx on this host only (a Unix socket peer counts as local)
forwarded_allow_ips = os.environ.get("WORKSAFE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
limit_request_line = 8190
limit_request_fields = 100

accesslog = os.environ.get("WORKSAFE_ACCESS_LOG", "-")  # the journal
errorlog = "-"
loglevel = os.environ.get("WORKSAFE_GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
proc_name = "worksafe"
# the socket (and files gunicorn makes) for owner and group only: nginx reads it as a member of the
# worksafe group; /run/worksafe itself is 0750 (RuntimeDirectoryMode)
umask = 0o007
