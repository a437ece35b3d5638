import { connect } from 'amqplib';
const N = 20000;
const amqp = await connect('amqp://guest:guest@127.0.0.1:5672', { noDelay: true });
const ch = await amqp.createConfirmChannel();
const body = Buffer.alloc(2200, 'x');
async function fill(q: string) {
  await ch.assertQueue(q, { durable: true, arguments: { 'x-max-priority': 10 } });
  for (let i = 0; i < N; i++) if (!ch.publish('', q, body, { priority: 1, persistent: true })) await new Promise(r => ch.once('drain', r));
  await ch.waitForConfirms();
}
async function viaGet(from: string, to: string) {
  const getter = await amqp.createChannel();
  let left = N;
  while (left > 0) {
    const batch = [];
    for (let i = 0; i < Math.min(500, left); i += 32) {
      const replies = await Promise.all(Array.from({ length: Math.min(32, left - i) }, () => getter.get(from, { noAck: false })));
      for (const got of replies) { if (!got) continue; batch.push(got); ch.publish('', to, got.content, { ...got.properties, priority: 9 }); }
    }
    await ch.waitForConfirms();
    for (const got of batch) getter.ack(got);
    left -= batch.length;
  }
  await getter.close();
}
async function viaConsume(from: string, to: string, prefetch: number) {
  const getter = await amqp.createChannel();
  await getter.prefetch(prefetch);
  let seen = 0; let batch: any[] = [];
  await new Promise<void>(async (resolve) => {
    const flush = async (b: any[]) => { await ch.waitForConfirms(); for (const g of b) getter.ack(g); };
    let chain = Promise.resolve();
    await getter.consume(from, (got) => {
      if (!got) return;
      seen++;
      ch.publish('', to, got.content, { ...got.properties, priority: 9 });
      batch.push(got);
      if (batch.length >= 250 || seen === N) { const b = batch; batch = []; chain = chain.then(() => flush(b)); if (seen === N) chain.then(() => resolve()); }
    }, { noAck: false });
  });
  await getter.close();
}
for (let r = 0; r < 2; r++) {
  for (const [label, fn] of [['get', (a: string, b: string) => viaGet(a, b)], ['consume500', (a: string, b: string) => viaConsume(a, b, 500)], ['consume1000', (a: string, b: string) => viaConsume(a, b, 1000)]] as const) {
    const a = `tmp-c-${label}-a-${r}`, b = `tmp-c-${label}-b-${r}`;
    await fill(a); await ch.assertQueue(b, { durable: true, arguments: { 'x-max-priority': 10 } });
    const t = performance.now(); await fn(a, b); const s = (performance.now() - t) / 1000;
    console.log(label, Math.round(N / s), 'msg/s');
    await ch.deleteQueue(a); await ch.deleteQueue(b);
  }
}
await amqp.close();
