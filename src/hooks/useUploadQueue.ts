import { useCallback, useEffect, useReducer, useRef } from 'react';

import type { Simulation } from '../shared/api';
import { uploadResultFile, type RunningUpload, type UploadFields } from '../api/upload';

export type UploadState =
  | { phase: 'queued' }
  | { phase: 'uploading'; loaded: number; total: number }
  | { phase: 'done'; simulation: Simulation }
  | { phase: 'failed'; message: string };

export interface UploadEntry {
  id: number;
  file: File;
  fields: UploadFields;
  state: UploadState;
}

type Action =
  | { type: 'add'; files: File[]; fields: UploadFields }
  | { type: 'update'; id: number; state: UploadState }
  | { type: 'remove'; id: number };

let nextId = 0;

function reduce(entries: UploadEntry[], action: Action): UploadEntry[] {
  switch (action.type) {
    case 'add':
      return [...entries, ...action.files.map((file) => ({ id: ++nextId, file, fields: action.fields, state: { phase: 'queued' } as const }))];
    case 'update':
      return entries.map((entry) => (entry.id === action.id ? { ...entry, state: action.state } : entry));
    case 'remove':
      return entries.filter((entry) => entry.id !== action.id);
  }
}

/**
 * Files upload one after another (a results share is often on one disk, and the proxy checks each
 * file before the next), each with its own progress and the server's verdict.
 */
export function useUploadQueue(datasourceUid: string) {
  const [entries, dispatch] = useReducer(reduce, []);
  const running = useRef<{ id: number; upload: RunningUpload } | undefined>(undefined);

  useEffect(() => {
    const next = entries.find((entry) => entry.state.phase === 'queued');
    if (running.current || !next) {
      return;
    }
    const update = (state: UploadState) => dispatch({ type: 'update', id: next.id, state });
    const upload = uploadResultFile(datasourceUid, next.file, next.fields, (loaded, total) => update({ phase: 'uploading', loaded, total }));
    running.current = { id: next.id, upload };
    update({ phase: 'uploading', loaded: 0, total: next.file.size });
    upload.done.then((outcome) => {
      running.current = undefined;
      update(outcome.ok ? { phase: 'done', simulation: outcome.simulation } : { phase: 'failed', message: outcome.message });
    });
  }, [entries, datasourceUid]);

  useEffect(() => () => running.current?.upload.abort(), []);

  const add = useCallback((files: File[], fields: UploadFields) => dispatch({ type: 'add', files, fields }), []);
  /** Cancels a running upload (the proxy keeps nothing of it) or drops a finished or queued entry. */
  const remove = useCallback((id: number) => {
    if (running.current?.id === id) {
      running.current.upload.abort();
      return;
    }
    dispatch({ type: 'remove', id });
  }, []);
  return { entries, add, remove };
}
