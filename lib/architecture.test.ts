import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules as a test over the real import graph of lib/, app/ and components/
 * (every import, `export … from` and dynamic import, type-only ones included: a type cycle
 * is still a design cycle): no file imports itself back, no lib/ folder depends on itself
 * through another, and the browser's side (app, components, lib/client) never reaches
 * Triage's state stores, the broker adapters or their client libraries directly.
 */

const ROOT = process.cwd();
const SOURCE_DIRS = ['lib', 'app', 'components'];
const EXTENSIONS = ['.ts', '.tsx'];
const UI_DIRS = ['app/', 'components/', 'lib/client/'];
const UI_FORBIDDEN_FILES = ['lib/brokers/', 'lib/state/'];
const UI_FORBIDDEN_PACKAGES = ['ioredis', 'amqplib'];

type Graph = Map<string, Set<string>>;

function sourceFiles(dir: string): string[] {
  if (!existsSync(path.join(ROOT, dir))) return [];
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** A project file for an import specifier ('@/…' or relative), or null for a package. */
function resolve(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith('@/')) base = specifier.slice(2);
  else if (specifier.startsWith('.')) base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  else return null;
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => `${base}/index${ext}`)];
  return candidates.find((file) => existsSync(path.join(ROOT, file)) && statSync(path.join(ROOT, file)).isFile()) ?? null;
}

interface ImportGraph {
  files: Graph;
  /** Package imports per file (the specifier as written, e.g. `ioredis`). */
  packages: Map<string, Set<string>>;
}

function importGraph(): ImportGraph {
  const files: Graph = new Map();
  const packages = new Map<string, Set<string>>();
  for (const file of SOURCE_DIRS.flatMap(sourceFiles)) {
    const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
    const targets = new Set<string>();
    const used = new Set<string>();
    for (const { fileName } of info.importedFiles) {
      const target = resolve(file, fileName);
      if (target) targets.add(target);
      else if (!fileName.startsWith('.') && !fileName.startsWith('@/')) used.add(fileName);
    }
    files.set(file, targets);
    packages.set(file, used);
  }
  return { files, packages };
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
export function cycles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** `lib/<folder>` of a lib file; a file directly under lib/ is its own node. */
function libFolder(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] !== 'lib') return null;
  return parts.length > 2 ? `lib/${parts[1]}` : file;
}

function folderGraph(files: Graph): Graph {
  const folders: Graph = new Map();
  for (const [file, targets] of files) {
    const from = libFolder(file);
    if (!from) continue;
    const edges = folders.get(from) ?? new Set<string>();
    folders.set(from, edges);
    for (const target of targets) {
      const to = libFolder(target);
      if (to && to !== from) edges.add(to);
    }
  }
  return folders;
}

describe('the cycle finder', () => {
  it('finds a cycle of three, a self-import, and nothing in a graph without one', () => {
    const graph: Graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set(['d'])],
      ['e', new Set(['a'])],
    ]);
    expect(cycles(graph)).toEqual([['d'], ['a', 'b', 'c']]);
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set<string>()]]))).toEqual([]);
  });
});

describe('the import graph of lib/, app/ and components/', () => {
  const { files, packages } = importGraph();

  it('is read from the source (a sanity check on the parser and the path resolution)', () => {
    expect(files.size).toBeGreaterThan(100);
    expect(files.get('lib/server/runtime.ts')).toContain('lib/config/index.ts');
    expect(packages.get('lib/redis/connection.ts')).toContain('ioredis');
  });

  it('has no file-level import cycle', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('has no cycle between lib/ folders', () => {
    expect(cycles(folderGraph(files))).toEqual([]);
  });

  it('keeps app/, components/ and lib/client/ away from the state stores, the broker adapters and their clients', () => {
    const offending: string[] = [];
    for (const [file, targets] of files) {
      if (!UI_DIRS.some((dir) => file.startsWith(dir))) continue;
      for (const target of targets) if (UI_FORBIDDEN_FILES.some((dir) => target.startsWith(dir))) offending.push(`${file} → ${target}`);
      for (const name of packages.get(file) ?? []) if (UI_FORBIDDEN_PACKAGES.includes(name)) offending.push(`${file} → ${name}`);
    }
    expect(offending).toEqual([]);
  });
});
