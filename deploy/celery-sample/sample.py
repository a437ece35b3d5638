"""A sample Celery app for deploy/compose.yaml: tasks Triage shows and controls."""
import os
import time

from celery import Celery

app = Celery("sample", broker=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"))
# kombu's default Redis layout (steps 0, 3, 6, 9), which Triage's default topology reads for
# `celery`; a queue with other steps or sep must be configured in Triage the same way.
app.conf.broker_transport_options = {"queue_order_strategy": "priority"}
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1


@app.task
def generate_report(seconds=2):
    time.sleep(seconds)
    return "report"


@app.task
def send_otp(user_id):
    return f"otp for {user_id}"
