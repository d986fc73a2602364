import { useEffect, useState } from 'react';

import { messageOf } from '../shared/proxyClient';

export interface AsyncValue<T> {
  /** The latest value received; kept while the next one loads, so tables do not flicker. */
  value: T | undefined;
  loading: boolean;
  error: string | undefined;
}

interface Settled<T> {
  key: string;
  value?: T;
  error?: string;
}

/**
 * The result of `load` for the inputs named by `key` (a string of everything `load` reads). When
 * the key changes quickly, only the latest request's answer is used.
 */
export function useAsyncValue<T>(key: string, load: () => Promise<T>): AsyncValue<T> {
  const [settled, setSettled] = useState<Settled<T>>({ key: '' });

  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setSettled({ key, value }),
      (error: unknown) => current && setSettled((previous) => ({ key, value: previous.value, error: messageOf(error) }))
    );
    return () => {
      current = false;
    };
    // `key` names every input of `load`, which is a new closure on each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const loading = settled.key !== key;
  return { value: settled.value, loading, error: loading ? undefined : settled.error };
}
