"""gunicorn settings for the portal: `gunicorn -c gunicorn.conf.py -w 4 -b 0.0.0.0:8000 --preload --timeout 30 wsgi:app`.

Only what metrics under several workers need (README, "Operations"); every other setting stays on the command line.
With METRICS_PATH set, prometheus_client's multiprocess mode adds up the workers' counts: each worker writes its
values to files in PROMETHEUS_MULTIPROC_DIR (made here, before the app is loaded and the workers fork, when the
environment does not name one; emptied at start so counts of an earlier run are not added in), and the files of
a worker that exits are marked dead.
"""
import glob
import os
import tempfile

if os.environ.get("METRICS_PATH"):
    _dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="portal-prometheus-")
    os.makedirs(_dir, exist_ok=True)
    for _stale in glob.glob(os.path.join(_dir, "*.db")):
        os.unlink(_stale)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _dir


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornPrometheusMetrics
        GunicornPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
