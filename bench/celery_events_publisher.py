"""Publishes Celery task and worker events with Celery's own EventDispatcher (kombu's wire
format, as a worker sends them) at a fixed rate, for bench/celery-ingest.ts.

Each task sends task-received, task-started and task-succeeded (1 in 20 task-failed, with a
traceback) from one of HOSTS worker hostnames; a task starts STARTED_AFTER tasks after it was
received and finishes FINISHED_AFTER tasks after that, so many tasks are in flight at once,
as on a busy worker. Task events are buffered into `task.multi` lists and flushed every tick,
as a worker's event loop does; every host sends a heartbeat every 2 s.

Prints JSON lines on stdout: once a second the id and event time of the task whose terminal
event was published last (a probe), and at the end the last event's task and totals.

Usage: celery_events_publisher.py BROKER_URL RATE SECONDS
"""
import json
import sys
import time

from celery import Celery

BROKER_URL, RATE, SECONDS = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
HOSTS = 8
STARTED_AFTER = 30
FINISHED_AFTER = 30
TICK_SEC = 0.01
HEARTBEAT_SEC = 2.0

app = Celery('bench', broker=BROKER_URL)
connection = app.connection_for_write()
dispatchers = [
    app.events.Dispatcher(connection, hostname=f'bench{h}@ingest', buffer_group=['task'], buffer_limit=10_000)
    for h in range(HOSTS)
]


def uuid(n):
    return f'bench-{n:08d}-0000-0000-000000000000'


def host_of(n):
    return dispatchers[n % HOSTS]


def received(n):
    host_of(n).send('task-received', uuid=uuid(n), name='bench.tasks.work', args='(1, 2)', kwargs="{'x': 'y'}",
                    root_id=uuid(n), parent_id=None, retries=0, eta=None, expires=None)


def started(n):
    host_of(n).send('task-started', uuid=uuid(n))


def finished(n):
    if n % 20 == 7:
        host_of(n).send('task-failed', uuid=uuid(n), exception="ValueError('upstream unavailable')",
                        traceback='Traceback (most recent call last):\n  ...\nValueError: upstream unavailable\n')
    else:
        host_of(n).send('task-succeeded', uuid=uuid(n), result='3', runtime=0.004)
    return uuid(n)


def steps():
    """Each step publishes one task's received, an earlier one's started and an older one's end."""
    n = 0
    while True:
        received(n)
        events = 1
        last = None
        if n >= STARTED_AFTER:
            started(n - STARTED_AFTER)
            events += 1
        if n >= STARTED_AFTER + FINISHED_AFTER:
            last = finished(n - STARTED_AFTER - FINISHED_AFTER)
            events += 1
        n += 1
        yield events, last, n


def heartbeat(d, processed):
    d.send('worker-heartbeat', freq=HEARTBEAT_SEC, active=STARTED_AFTER // HOSTS, processed=processed,
           loadavg=[0.5, 0.5, 0.5], sw_ident='py-celery', sw_ver='5.2.6', sw_sys='Linux')


def flush():
    for d in dispatchers:
        d.flush()


def main():
    for d in dispatchers:
        d.send('worker-online', freq=HEARTBEAT_SEC, sw_ident='py-celery', sw_ver='5.2.6', sw_sys='Linux')
    gen = steps()
    sent = 0
    last_uuid = None
    started_at = time.time()
    next_heartbeat = started_at
    next_probe = started_at + 1
    n = 0
    while True:
        now = time.time()
        elapsed = now - started_at
        if elapsed >= SECONDS:
            break
        due = int(elapsed * RATE)
        while sent < due:
            events, last, n = next(gen)
            sent += events
            if last:
                last_uuid = last
        if now >= next_heartbeat:
            for d in dispatchers:
                heartbeat(d, n)
            sent += HOSTS
            next_heartbeat += HEARTBEAT_SEC
        flush()
        if now >= next_probe and last_uuid:
            print(json.dumps({'probe': last_uuid, 'at': time.time()}), flush=True)
            next_probe += 1
        pause = TICK_SEC - (time.time() - now)
        if pause > 0:
            time.sleep(pause)
    # The tail: every task received so far also starts and ends, so the last event published is a task's end.
    for k in range(max(0, n - STARTED_AFTER), n):
        started(k)
        sent += 1
    for k in range(max(0, n - STARTED_AFTER - FINISHED_AFTER), n):
        last_uuid = finished(k)
        sent += 1
    flush()
    print(json.dumps({'last': last_uuid, 'at': time.time(), 'events': sent, 'tasks': n, 'seconds': time.time() - started_at}), flush=True)
    connection.release()


main()
