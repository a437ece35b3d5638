/**
 * `npm run bench -- worker`: the worker rows of the benchmark table, one after another
 * (worker-redis, worker-rabbitmq, worker-vs-celery, worker-revokes); each writes its own results file.
 */
export async function main(): Promise<void> {
  for (const load of [() => import('./worker-redis'), () => import('./worker-rabbitmq'), () => import('./worker-vs-celery'), () => import('./worker-revokes')]) {
    await (await load()).main();
  }
}
