import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useSearchParams } from 'wouter-preact';

/** Runs fn() (returning a promise) on mount and when deps change. */
export function useAsync(fn, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const my = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    return fn().then(
      (data) => {
        if (my === seq.current) setState({ data, error: null, loading: false });
        return data;
      },
      (error) => {
        if (error?.name === 'AbortError') return;
        if (my === seq.current) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
  }, deps);
  useEffect(() => {
    run();
    return () => {
      seq.current++;
    };
  }, [run]);
  const setData = (data) => setState((s) => ({ ...s, data: typeof data === 'function' ? data(s.data) : data }));
  return { ...state, reload: run, setData };
}

/**
 * Cursor paging: fetchPage(cursor) resolves to {data, nextCursor}. Pages are
 * appended by loadMore(); any change of deps starts again from the first.
 */
export function usePaged(fetchPage, deps) {
  const [rows, setRows] = useState([]);
  const [nextCursor, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const seq = useRef(0);
  const load = useCallback((cursor) => {
    const my = ++seq.current;
    setLoading(true);
    setError(null);
    return fetchPage(cursor).then(
      (r) => {
        if (my !== seq.current) return;
        setRows((old) => (cursor ? old.concat(r.data) : r.data));
        setNext(r.nextCursor);
        setLoading(false);
      },
      (e) => {
        if (my !== seq.current || e?.name === 'AbortError') return;
        setError(e);
        setLoading(false);
      },
    );
  }, deps);
  useEffect(() => {
    load(null);
    return () => {
      seq.current++;
    };
  }, [load]);
  return {
    rows,
    setRows,
    nextCursor,
    loading,
    error,
    loadMore: () => nextCursor && load(nextCursor),
    reload: () => load(null),
  };
}

/** Calls fn every `ms` while the tab is visible (and once when it returns). */
export function usePoll(fn, ms, deps = []) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!ms) return undefined;
    let timer = null;
    const tick = () => {
      if (document.visibilityState === 'visible') saved.current();
    };
    timer = setInterval(tick, ms);
    const onVis = () => document.visibilityState === 'visible' && saved.current();
    document.addEventListener('visibilitychange', onVis);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVis);
    };
  }, [ms, ...deps]);
}

/**
 * One query-string parameter as state, so reload and Back keep it.
 * set(value) replaces the history entry unless {push: true}.
 */
export function useQueryParam(name, fallback = '') {
  const [params, setParams] = useSearchParams();
  const value = params.get(name) ?? fallback;
  const set = (v, { push = false } = {}) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (v === null || v === undefined || v === '' || v === fallback) n.delete(name);
        else n.set(name, v);
        return n;
      },
      { replace: !push },
    );
  return [value, set];
}

export function useTitle(title) {
  useEffect(() => {
    if (title) document.title = `${title} · Leadterra`;
  }, [title]);
}

/** A stable id for label/input pairs. */
let idSeq = 0;
export function useId(prefix = 'f') {
  const ref = useRef(null);
  if (ref.current === null) ref.current = `${prefix}-${++idSeq}`;
  return ref.current;
}
