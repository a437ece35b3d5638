"""Floods a queue with real Celery: argv[1] messages per second, argv[2] seconds, argv[3] a JSON
list of [task, priority] sent in turn (round robin).

Prints one JSON line per message as it is sent: {"id", "task", "priority", "at" (ms since epoch)}.
"""
import json
import sys
import time

from triage_probe import app

rate = float(sys.argv[1])
seconds = float(sys.argv[2])
kinds = json.loads(sys.argv[3])
start = time.time()
sent = 0
with app.producer_or_acquire() as producer:
    while time.time() - start < seconds:
        # Paced against the start, so a slow send is caught up rather than lowering the rate.
        due = start + sent / rate
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        task, priority = kinds[sent % len(kinds)]
        result = app.send_task(task, args=[sent], kwargs={"template": "digest" if sent % 2 else "plain"}, priority=priority, producer=producer)
        print(json.dumps({"id": result.id, "task": task, "priority": priority, "at": int(time.time() * 1000)}), flush=True)
        sent += 1
