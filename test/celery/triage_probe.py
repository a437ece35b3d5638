"""A real Celery app for Triage's interop tests.

Configured from the environment so one module covers every broker layout:
  PROBE_BROKER_URL   redis://... or amqp://...
  PROBE_QUEUE        the queue to produce to / consume from
  PROBE_STEPS        JSON list for kombu's priority_steps (Redis)
  PROBE_SEP          kombu's sep (Redis)
  PROBE_PREFIX       kombu's global_keyprefix (Redis)
  PROBE_MAX_PRIORITY x-max-priority for the queue (RabbitMQ)
  PROBE_LOG          file each executed task appends one JSON line to
  PROBE_RESULT_BACKEND  a Redis result backend URL (result_extended on)
  PROBE_ACKS_LATE    "0" for Celery's default early acks (late acks otherwise)
  PROBE_VISIBILITY_TIMEOUT  kombu's visibility_timeout in seconds (Redis)
  PROBE_TRANSPORT_OPTIONS   JSON merged into broker_transport_options (e.g. private unacked keys)
"""
import json
import os

from celery import Celery
from kombu import Queue

BROKER = os.environ["PROBE_BROKER_URL"]
QUEUE = os.environ["PROBE_QUEUE"]
LOG = os.environ.get("PROBE_LOG", "/dev/null")

app = Celery("triage_probe", broker=BROKER, backend=os.environ.get("PROBE_RESULT_BACKEND") or None)

options = {"queue_order_strategy": "priority"}
if os.environ.get("PROBE_STEPS"):
    options["priority_steps"] = json.loads(os.environ["PROBE_STEPS"])
if os.environ.get("PROBE_SEP"):
    options["sep"] = os.environ["PROBE_SEP"]
if os.environ.get("PROBE_PREFIX"):
    options["global_keyprefix"] = os.environ["PROBE_PREFIX"]
if os.environ.get("PROBE_VISIBILITY_TIMEOUT"):
    options["visibility_timeout"] = int(os.environ["PROBE_VISIBILITY_TIMEOUT"])
if os.environ.get("PROBE_TRANSPORT_OPTIONS"):
    options.update(json.loads(os.environ["PROBE_TRANSPORT_OPTIONS"]))

app.conf.update(
    broker_transport_options=options,
    task_default_queue=QUEUE,
    # Strict priority needs late acks and one reserved task per slot (celery-wire.md §6).
    task_acks_late=os.environ.get("PROBE_ACKS_LATE", "1") != "0",
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    result_extended=True,
    task_send_sent_event=True,
)
if BROKER.startswith("amqp"):
    max_priority = int(os.environ.get("PROBE_MAX_PRIORITY", "10"))
    app.conf.task_queues = [Queue(QUEUE, queue_arguments={"x-max-priority": max_priority})]
    app.conf.task_queue_max_priority = max_priority


def _log(task, name, args, kwargs):
    entry = {
        "id": task.request.id,
        "task": name,
        "args": list(args),
        "kwargs": kwargs,
        "priority": (task.request.delivery_info or {}).get("priority"),
        "hostname": task.request.hostname,
    }
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def _recorder(name):
    @app.task(name=name, bind=True)
    def record(self, *args, **kwargs):
        _log(self, name, args, kwargs)
        sleep = kwargs.get("sleep")
        if sleep:
            import time

            time.sleep(float(sleep))
        return {"ok": True}

    return record


for _name in (
    "myapp.tasks.send_otp",
    "myapp.tasks.send_email",
    "myapp.tasks.generate_report",
    "myapp.tasks.process_data",
    "probe.work",
):
    _recorder(_name)


@app.task(name="probe.fail", bind=True)
def fail(self, *args, **kwargs):
    """Always fails (after logging its run), so tests can read a real FAILURE with its traceback."""
    _log(self, "probe.fail", args, kwargs)
    raise ValueError(f"probe failure for {args!r}")
