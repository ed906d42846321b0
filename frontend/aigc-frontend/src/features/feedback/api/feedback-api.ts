import { queryOptions, useMutation, useQuery } from '@tanstack/react-query';
import { feedbackDeleteFeedback, feedbackListTags, feedbackPutFeedback } from '@/client/sdk.gen';
import type { FeedbackIn } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';

/** GET /feedback/tags: the fixed tags with their labels (they never change while the app runs). */
export const feedbackTagsQueryOptions = () =>
  queryOptions({
    queryKey: ['feedback', 'tags'],
    queryFn: ({ signal }) => unwrap(feedbackListTags({ signal })),
    staleTime: Infinity,
  });

export function useFeedbackTags() {
  return useQuery(feedbackTagsQueryOptions());
}

/** PUT /messages/{id}/feedback: rate an answer (replaces the previous rating). */
export function usePutFeedback() {
  return useMutation({
    mutationFn: ({ messageId, body }: { messageId: string; body: FeedbackIn }) =>
      unwrap(feedbackPutFeedback({ path: { message_id: messageId }, body })),
  });
}

/** DELETE /messages/{id}/feedback: take the rating back. */
export function useDeleteFeedback() {
  return useMutation({
    mutationFn: (messageId: string) => unwrap(feedbackDeleteFeedback({ path: { message_id: messageId } })),
  });
}
