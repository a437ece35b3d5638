/**
 * Runs once when the server starts. In production mode Triage refuses to start without a
 * session secret and at least one user (lib/server/auth-startup.ts), before serving a request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // First: every request from now on carries its socket address (lib/server/peer.ts).
  const { installPeerStamp } = await import('./lib/server/peer');
  installPeerStamp();
  const { checkStartup } = await import('./lib/server/auth-startup-check');
  await checkStartup();
  // The one backlog-history sampler and live poller of this server process (lib/server/sampler.ts).
  // Not while `next build` prerenders: that process serves no one.
  if (process.env.NEXT_PHASE !== 'phase-production-build') {
    const { getSampler } = await import('./lib/server/sampler');
    await getSampler({ history: true });
    const { startCeleryIngestion } = await import('./lib/server/celery-ingest');
    await startCeleryIngestion();
    // Every replica contends for the alerts lease; its holder evaluates and delivers (lib/alerts/loop.ts).
    const { startAlerting } = await import('./lib/server/alerts');
    await startAlerting();
    // Every replica contends for the SLO loop; the lease holder alone evaluates (lib/server/slos.ts).
    const { startSloEvaluation } = await import('./lib/server/slos');
    await startSloEvaluation();
    // Every replica contends; the lease in the state Redis lets one apply the standing rules.
    const { startServerRuleLoop } = await import('./lib/server/rule-loop');
    startServerRuleLoop();
  }
}
