import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from './api';
import { BASE, navigate } from './router';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs a load when its inputs change; a newer load wins over a slower older one. */
export function useAsync<T>(load: () => Promise<T>, inputs: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ data: previous.data, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...inputs, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** An API error as the operator needs it: the problem's title, its detail and each field's message. */
export function ProblemView({ error }: { error: unknown }) {
  if (!error) return null;
  if (!(error instanceof ApiProblem))
    return (
      <div class="problem" role="alert">
        <strong>{String((error as Error)?.message ?? error)}</strong>
      </div>
    );
  return (
    <div class="problem" role="alert">
      <strong>{error.title}</strong>
      {error.status > 0 && (
        <span class="muted">
          {' '}
          (HTTP {error.status}
          {error.code ? `, ${error.code}` : ''})
        </span>
      )}
      {error.detail && <p>{error.detail}</p>}
      {error.declineCode && (
        <p>
          Decline code: <code>{error.declineCode}</code>
        </p>
      )}
      {error.errors.length > 0 && (
        <ul>
          {error.errors.map((field) => (
            <li key={field.field}>
              <code>{field.field}</code>: {field.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** What a section shows while it loads, when it failed, and when it has its data. */
export function Loaded<T>({ state, children }: { state: Async<T>; children: (data: T) => ComponentChildren }) {
  if (state.error) return <ProblemView error={state.error} />;
  // An optional feature's load ends with undefined data (its 404): an answer, not "loading".
  if (state.loading && state.data === undefined)
    return (
      <p class="muted" aria-busy="true">
        Loading…
      </p>
    );
  return <>{children(state.data as T)}</>;
}

export function Link({ to, children, current = false }: { to: string; children: ComponentChildren; current?: boolean }) {
  return (
    <a
      href={`${BASE}${to}`}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate(to);
      }}
      aria-current={current ? 'page' : undefined}
    >
      {children}
    </a>
  );
}

export function Status({ value }: { value: string }) {
  return <span class={`status status-${value}`}>{value.replace(/_/g, ' ')}</span>;
}

export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">—</span>;
  return <time dateTime={at}>{at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>;
}

/**
 * A button whose action runs only after the operator confirms it in a modal dialog (keyboard:
 * Escape cancels, focus starts on Cancel). A failure is shown in the dialog as the API's problem.
 */
export function ConfirmAction({
  label,
  question,
  confirmLabel = label,
  run,
  onDone,
  danger = false,
  children,
}: {
  label: string;
  question: string;
  confirmLabel?: string;
  run: () => Promise<unknown>;
  onDone?: (result: unknown) => void;
  danger?: boolean;
  children?: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const open = () => {
    setError(undefined);
    dialog.current?.showModal();
  };
  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await run();
      dialog.current?.close();
      onDone?.(result);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class={danger ? 'danger' : ''} onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={label}>
        <form method="dialog" onSubmit={confirm}>
          <p>{question}</p>
          {children}
          <ProblemView error={error} />
          <div class="actions">
            <button type="button" autofocus onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** Cursor paging over a list endpoint: next follows `next_cursor`, previous goes back the trail. */
export function usePager(): { cursor: string | undefined; trail: string[]; next: (cursor: string) => void; previous: () => void; reset: () => void } {
  const [trail, setTrail] = useState<string[]>([]);
  return {
    cursor: trail[trail.length - 1],
    trail,
    next: (cursor) => setTrail((current) => [...current, cursor]),
    previous: () => setTrail((current) => current.slice(0, -1)),
    reset: () => setTrail([]),
  };
}

export function PagerControls({ pager, hasMore, nextCursor }: { pager: ReturnType<typeof usePager>; hasMore: boolean; nextCursor: string | null }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={pager.trail.length === 0} onClick={pager.previous}>
        Previous page
      </button>
      <span class="muted">Page {pager.trail.length + 1}</span>
      <button type="button" disabled={!hasMore || !nextCursor} onClick={() => nextCursor && pager.next(nextCursor)}>
        Next page
      </button>
    </nav>
  );
}
