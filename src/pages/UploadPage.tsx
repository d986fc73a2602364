import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Field, FileDropzone, FileDropzoneDefaultChildren, Input, LinkButton, LoadingPlaceholder, Stack } from '@grafana/ui';

import type { Session } from '../shared/api';
import { datasourceSettingsUrl } from '../api/links';
import { UploadList } from '../components/Upload/UploadList';
import { useAsyncValue } from '../hooks/useAsyncValue';
import { useProxyClient } from '../hooks/useProxyClient';
import { useUploadQueue } from '../hooks/useUploadQueue';

/** The result formats the proxy reads (its upload route checks the extension too). */
const ACCEPTED = { 'application/octet-stream': ['.mat', '.h5', '.hdf5', '.sdf'], 'text/csv': ['.csv'] };

/** Why this user cannot upload through this datasource, or undefined when they can. */
function refusal(session: Session, datasourceUid: string): { title: string; text: string; fixedInSettings: boolean } | undefined {
  if (!session.uploadsEnabled) {
    return {
      title: 'This SimViz proxy does not accept uploads',
      text: 'Its operator enables them by giving the proxy a writable upload folder (--upload-dir or SIMVIZ_UPLOAD_DIR).',
      fixedInSettings: false,
    };
  }
  if (!session.scopes.includes('write')) {
    return {
      title: 'The API key of this datasource may only read',
      text: `Uploads need a key with the write scope (--write-api-key on the proxy). Set such a key in the settings of the datasource “${datasourceUid}”.`,
      fixedInSettings: true,
    };
  }
  return undefined;
}

function UploadForm({ datasourceUid, maxBytes }: { datasourceUid: string; maxBytes: number }) {
  const { entries, add, remove } = useUploadQueue(datasourceUid);
  const [folder, setFolder] = useState('');
  const [tags, setTags] = useState('');
  return (
    <Stack direction="column" gap={2}>
      <Stack direction="row" gap={2}>
        <Field label="Folder" description="Inside the proxy's upload folder; empty for its top level" noMargin>
          <Input id="simviz-upload-folder" width={32} placeholder="e.g. thermal/2026" value={folder} onChange={(e) => setFolder(e.currentTarget.value.trim())} />
        </Field>
        <Field label="Tags" description="Comma-separated, stored with each run" noMargin>
          <Input id="simviz-upload-tags" width={32} placeholder="e.g. baseline, v2" value={tags} onChange={(e) => setTags(e.currentTarget.value)} />
        </Field>
      </Stack>
      <FileDropzone
        id="simviz-upload-files"
        options={{ multiple: true, accept: ACCEPTED, maxSize: maxBytes, onDrop: (accepted) => add(accepted, { folder, tags }) }}
        fileListRenderer={() => null}
      >
        <FileDropzoneDefaultChildren
          primaryText="Drop result files here or click to choose them"
          secondaryText="Dymola or OpenModelica .mat, CSV or HDF5 results. They are checked on the proxy, and an existing file is never replaced."
        />
      </FileDropzone>
      <UploadList entries={entries} onRemove={remove} />
    </Stack>
  );
}

/** Result files go to the proxy's upload folder, each checked there before it is listed. */
export function UploadPage({ datasourceUid }: { datasourceUid: string }) {
  const client = useProxyClient(datasourceUid);
  const { value: session, error } = useAsyncValue(datasourceUid, () => client.session());
  const refused = session && refusal(session, datasourceUid);
  return (
    <PluginPage>
      {error && (
        <Alert title="The SimViz proxy cannot be asked whether uploads are possible" severity="error">
          {error}
        </Alert>
      )}
      {!session && !error && <LoadingPlaceholder text="Checking the datasource’s key…" />}
      {refused && (
        <Alert title={refused.title} severity="warning">
          <Stack direction="column" gap={1} alignItems="flex-start">
            {refused.text}
            {refused.fixedInSettings && (
              <LinkButton variant="secondary" size="sm" href={datasourceSettingsUrl(datasourceUid)}>
                Datasource settings
              </LinkButton>
            )}
          </Stack>
        </Alert>
      )}
      {session && !refused && <UploadForm datasourceUid={datasourceUid} maxBytes={session.maxUploadBytes} />}
    </PluginPage>
  );
}
