'use client';

import { useEffect, useSyncExternalStore } from 'react';
import { applyTheme, readThemeChoice, storeThemeChoice, type ThemeChoice } from '@/lib/client/theme';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };
const ICON: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' };

const listeners = new Set<() => void>();
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function notify(): void {
  for (const listener of listeners) listener();
}

/** Cycles system → light → dark; "system" keeps following the OS setting as it changes. */
export function ThemeToggle() {
  // The server cannot know the choice (it lives in localStorage): it renders "system", the browser the stored one.
  const current = useSyncExternalStore(subscribe, readThemeChoice, () => 'system' as const);

  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const follow = () => applyTheme(readThemeChoice());
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, []);

  return (
    <button
      type="button"
      data-testid="theme-toggle"
      title={`${LABEL[current]} (click for ${NEXT[current]})`}
      aria-label={`${LABEL[current]}, switch to ${NEXT[current]}`}
      onClick={() => {
        const next = NEXT[current];
        storeThemeChoice(next);
        applyTheme(next);
        notify();
      }}
      className="rounded-md border border-slate-300 px-2 py-1 text-sm leading-none text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"
    >
      <span aria-hidden>{ICON[current]}</span>
    </button>
  );
}
