"""A real Celery app for `npm run bench -- worker-vs-celery`: a no-op `triage.tasks.noop`.

Configured from the environment:
  BENCH_BROKER_URL   redis://... or amqp://...
  BENCH_QUEUE        the queue to consume
  BENCH_PREFIX       prefix of kombu's unacked, unacked_index and unacked_mutex keys (Redis)
  BENCH_RESULT_URL   optional result backend (redis://...): every task's result is stored,
                     as Triage records every task; the results expire after two minutes
Strict priority as Celery documents it: late acks, prefetch multiplier 1, and on Redis
the `priority` queue order strategy over kombu's default priority steps.
"""
import os

from celery import Celery
from kombu import Queue

BROKER = os.environ["BENCH_BROKER_URL"]
QUEUE = os.environ["BENCH_QUEUE"]

app = Celery("worker_celery_app", broker=BROKER)

options = {"queue_order_strategy": "priority"}
if os.environ.get("BENCH_PREFIX"):
    for key in ("unacked", "unacked_index", "unacked_mutex"):
        options[f"{key}_key"] = os.environ["BENCH_PREFIX"] + key

app.conf.update(
    broker_transport_options=options,
    task_default_queue=QUEUE,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)
if os.environ.get("BENCH_RESULT_URL"):
    app.conf.update(result_backend=os.environ["BENCH_RESULT_URL"], task_ignore_result=False, result_expires=120)
if BROKER.startswith("amqp"):
    app.conf.task_queues = [Queue(QUEUE, queue_arguments={"x-max-priority": 10})]
    app.conf.task_queue_max_priority = 10


@app.task(name="triage.tasks.noop")
def noop(*args, **kwargs):
    return None
