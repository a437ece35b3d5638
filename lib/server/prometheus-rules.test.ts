import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from './metrics';

/**
 * The Prometheus rules and the Grafana dashboard shipped in docs/ (issue 20): the rules parse
 * with promtool (Debian's `prometheus` package; .ci/run installs it), and every metric they
 * and the dashboard name is one /metrics exports, read from the exposition renderMetrics
 * writes (every family declares itself with `# TYPE`), not from a list kept by hand.
 */

const RULES = path.join(process.cwd(), 'docs/prometheus/triage-alerts.rules.yml');
const DASHBOARD = path.join(process.cwd(), 'docs/grafana/triage-dashboard.json');

function exportedNames(): Set<string> {
  const text = renderMetrics(
    { at: new Date().toISOString(), takenAt: Date.now(), queues: [], unavailable: [], health: { status: 'ok', brokers: [] } },
    [], new Map(), { polls: 0, listeners: 0 }, {}, [],
  );
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}

/** Metric names in PromQL: Triage's all start with `triage_` (rule and alert names are CamelCase). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\btriage_[a-z0-9_]+/g)].map((m) => m[0]);
}

/** The whole file, comments and annotations included: a metric named anywhere in it must exist. */
function rulesText(): string {
  return readFileSync(RULES, 'utf8');
}

function dashboardExprs(): string[] {
  const exprs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'expr' || key === 'query') && typeof value === 'string') exprs.push(value);
        else walk(value);
      }
    }
  };
  walk(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
  return exprs;
}

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.status === 0;

describe('Prometheus rules and Grafana dashboard in docs/', () => {
  const promtoolTest = hasPromtool ? 'the rules pass `promtool check rules`' : 'SKIPPED, promtool is missing (Debian: apt-get install -y prometheus): the rules pass `promtool check rules`';
  it.skipIf(!hasPromtool)(promtoolTest, () => {
    const out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('every metric the rules and the dashboard name is exported by /metrics', () => {
    const exported = exportedNames();
    expect(exported.size).toBeGreaterThan(20);
    const rules = rulesText();
    const panels = dashboardExprs();
    expect(rules.match(/^\s+- alert: /gm)?.length).toBeGreaterThanOrEqual(8);
    expect(panels.length).toBeGreaterThanOrEqual(10);
    const named = new Set([rules, ...panels].flatMap(metricNames));
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('catches a metric /metrics does not export', () => {
    const exported = exportedNames();
    expect(metricNames('rate(triage_queue_messages_total[5m]) > triage_queue_messages').filter((n) => !exported.has(n))).toEqual(['triage_queue_messages_total']);
  });
});
