"""Gunicorn settings of one Machimori app server (deploy/systemd/machimori-web@.service; the
same file `make cluster` starts its three app servers with). The address comes from --bind."""

# Threads, not processes, carry the concurrency: requests mostly wait on PostgreSQL and S3.
workers = 2
threads = 4
worker_class = "gthread"
# A resident's upload of five 15 MB photos over a slow phone line still finishes; nginx
# buffers the body first, so the app server only waits on its own work.
timeout = 60
graceful_timeout = 20
# nginx keeps idle connections to the app servers open (its upstream keepalive_timeout, 60 s):
# the app server must keep them longer, or nginx may send a request down a connection the
# app server has just closed, and a POST that fails that way is not retried (a 502).
keepalive = 75
# Restart each worker now and then: a slow leak cannot grow for weeks.
max_requests = 2000
max_requests_jitter = 200
# The request id nginx sets travels into the access log.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}i)s'
errorlog = "-"
# nginx (the only client) is on this machine or the private network.
forwarded_allow_ips = "127.0.0.1"
