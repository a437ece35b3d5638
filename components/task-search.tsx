'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { MIN_SEARCH_PREFIX } from '@/lib/shared/search';
import { SearchInput } from './ui/input';

/** Whether a key press belongs to something the user is typing into. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * The header's "find a task by id" box; `/` anywhere focuses it. It opens the search page,
 * which finds task records and waiting messages by id or by its first 8+ characters (and
 * goes straight to the task when the id is a known task's).
 */
export function TaskSearch() {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [id, setId] = useState('');

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      // A modal dialog owns the keyboard while it is open.
      if (document.querySelector('dialog[open]')) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKey);
    // Announced only once the listener exists: before hydration `/` does nothing.
    const box = input.current;
    box?.setAttribute('aria-keyshortcuts', '/');
    return () => {
      document.removeEventListener('keydown', onKey);
      box?.removeAttribute('aria-keyshortcuts');
    };
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = id.trim();
    if (!trimmed) return;
    router.push(`/search?q=${encodeURIComponent(trimmed)}`);
    input.current?.blur();
  };

  return (
    <form role="search" onSubmit={submit} className="relative min-w-0 flex-1 sm:max-w-xs">
      <label htmlFor="task-search" className="sr-only">
        Find a task by id or its first {MIN_SEARCH_PREFIX} characters
      </label>
      {/* Room on the right for the `/` hint. */}
      <SearchInput ref={input} id="task-search" value={id} onChange={(e) => setId(e.target.value)} placeholder="Task id or its start…" data-testid="task-search" mono className="w-full pr-8" />
      <kbd
        aria-hidden
        className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2 rounded border border-slate-300 px-1 text-xs text-slate-500 dark:border-slate-700"
      >
        /
      </kbd>
    </form>
  );
}
