import { queryOptions, useQuery } from '@tanstack/react-query';
import { artifactsPreviewArtifact } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';
import { sessionKeys } from './sessions-keys';

/** GET /artifacts/{id}/preview: the kind of file and its text when it has one. */
export const artifactPreviewQueryOptions = (artifactId: string, updatedAt: string) =>
  queryOptions({
    queryKey: [...sessionKeys.preview(artifactId), updatedAt],
    queryFn: ({ signal }) => unwrap(artifactsPreviewArtifact({ path: { artifact_id: artifactId }, signal })),
  });

export function useArtifactPreview(artifactId: string | null, updatedAt = '') {
  return useQuery({ ...artifactPreviewQueryOptions(artifactId ?? '', updatedAt), enabled: !!artifactId });
}
