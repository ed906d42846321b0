import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ArtifactsPublic } from '@/client/types.gen';
import { ApiRequestError } from '@/lib/api-error';
import { apiUrl } from '@/lib/authed-fetch';
import { getAccessToken, refreshAccessToken } from '@/lib/session-token';
import { sessionKeys } from './sessions-keys';

/** Bytes sent so far of the whole request (`total` 0 until the browser knows it). */
export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadFilesInput {
  files: File[];
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

function send(
  sessionId: string,
  { files, onProgress, signal }: UploadFilesInput,
  token: string | null,
): Promise<{ status: number; body: unknown }> {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(`/api/v1/sessions/${encodeURIComponent(sessionId)}/files`));
    xhr.withCredentials = true;
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) =>
      onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.response });
    xhr.onerror = () => reject(new ApiRequestError(0, null));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    for (const file of files) form.append('files', file, file.name);
    xhr.send(form);
  });
}

/** POST /sessions/{id}/files with progress; all files are stored or none (413/422 name the limit). */
export async function uploadFiles(sessionId: string, input: UploadFilesInput): Promise<ArtifactsPublic> {
  let result = await send(sessionId, input, getAccessToken());
  if (result.status === 401) {
    const token = await refreshAccessToken();
    if (token) result = await send(sessionId, input, token);
  }
  if (result.status < 200 || result.status >= 300) throw new ApiRequestError(result.status, result.body);
  return result.body as ArtifactsPublic;
}

/** The upload as a mutation; the session (and its uploads list) is refreshed afterwards. */
export function useUploadFiles(sessionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UploadFilesInput) => uploadFiles(sessionId, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKeys.detail(sessionId) }),
  });
}
