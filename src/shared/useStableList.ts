import { useMemo } from 'react';

/** The same array object while its items stay the same: props arrive as new arrays on every render. */
export function useStableList(items: string[]): string[] {
  const key = items.join('\u0000');
  return useMemo(() => (key ? key.split('\u0000') : []), [key]);
}
