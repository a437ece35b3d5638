"""Sends tasks with real Celery: argv[1] is a JSON list of priorities (null = none given).

Prints the task ids, in send order, as a JSON list.
"""
import json
import sys

from triage_probe import app

priorities = json.loads(sys.argv[1])
task = sys.argv[2] if len(sys.argv) > 2 else "probe.work"
ids = []
for index, priority in enumerate(priorities):
    options = {} if priority is None else {"priority": priority}
    result = app.send_task(task, args=[index, priority], kwargs={"label": f"m{index}"}, **options)
    ids.append(result.id)
print(json.dumps(ids))
