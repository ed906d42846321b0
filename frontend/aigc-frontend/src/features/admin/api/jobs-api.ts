import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { jobsBatchLearnPreferences, jobsListJobs } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';

const jobsKey = ['admin', 'jobs'] as const;

/** GET /platform/cron/jobs: scheduled jobs with their next run and recent runs. */
export const jobsQueryOptions = () =>
  queryOptions({ queryKey: jobsKey, queryFn: ({ signal }) => unwrap(jobsListJobs({ signal })) });

export function useJobs() {
  return useQuery(jobsQueryOptions());
}

/** POST /platform/cron/batch-learn-preferences: learn preferences now. */
export function useRunLearning() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (minFeedbackCount: number) =>
      unwrap(jobsBatchLearnPreferences({ query: { min_feedback_count: minFeedbackCount } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: jobsKey }),
  });
}
