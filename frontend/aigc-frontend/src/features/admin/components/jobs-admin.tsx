import { PlayCircleOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Empty, Flex, InputNumber, Spin, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobRunPublic } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { formatDateTime } from '@/lib/format';
import { useJobs, useRunLearning } from '../api/jobs-api';

const STATUS_COLORS: Record<string, string> = { ok: 'green', success: 'green', running: 'blue', error: 'red', failed: 'red', skipped: 'default' };

function duration(run: JobRunPublic): string {
  if (!run.finished_at) return '—';
  const ms = new Date(run.finished_at).getTime() - new Date(run.started_at).getTime();
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Scheduled jobs: when each runs next, its recent runs, and "run now" for preference learning. */
export function JobsAdmin() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { data, error, isPending } = useJobs();
  const run = useRunLearning();
  const [minFeedback, setMinFeedback] = useState(5);

  const runNow = () =>
    run.mutate(minFeedback, {
      onSuccess: (result) =>
        message.success(t('admin.jobs.finished', { learned: result.users_learned, considered: result.users_considered })),
      onError: (err) => message.error(describeError(err, t)),
    });

  return (
    <section aria-labelledby="jobs-title">
      <Typography.Title level={2} id="jobs-title" style={{ fontSize: 18, marginTop: 0 }}>
        {t('admin.jobs.title')}
      </Typography.Title>
      {error ? <Alert type="error" showIcon title={describeError(error, t)} /> : null}
      {isPending ? <Spin /> : null}
      {data && data.length === 0 ? <Empty description={t('admin.jobs.none')} /> : null}
      <Flex vertical gap={16}>
        {(data ?? []).map((job) => (
          <Card
            key={job.id}
            size="small"
            title={<h3 className="chart-title">{job.name}</h3>}
            extra={
              job.id.includes('learn') || job.name.toLowerCase().includes('learn') ? (
                <Flex align="center" gap={8}>
                  <label htmlFor={`min-feedback-${job.id}`}>{t('admin.jobs.minFeedback')}</label>
                  <InputNumber id={`min-feedback-${job.id}`} min={1} max={1000} size="small" value={minFeedback} onChange={(value) => setMinFeedback(value ?? 5)} style={{ width: 72 }} />
                  <Button type="primary" icon={<PlayCircleOutlined aria-hidden />} loading={run.isPending} onClick={runNow}>
                    {t('admin.jobs.runNow')}
                  </Button>
                </Flex>
              ) : null
            }
          >
            <Descriptions
              size="small"
              column={{ xs: 1, md: 3 }}
              items={[
                { key: 'next', label: t('admin.jobs.nextRun'), children: job.next_run_at ? formatDateTime(job.next_run_at, i18n.language) : '—' },
                { key: 'interval', label: t('admin.jobs.interval'), children: t('admin.jobs.every', { minutes: Math.round(job.interval_seconds / 60) }) },
                {
                  key: 'scheduler',
                  label: t('admin.jobs.scheduler'),
                  children: job.scheduler_running ? <Tag color="green">{t('admin.jobs.running')}</Tag> : <Tag>{t('admin.jobs.stopped')}</Tag>,
                },
              ]}
            />
            <Table<JobRunPublic>
              rowKey="id"
              size="small"
              style={{ marginTop: 12 }}
              dataSource={job.recent_runs}
              pagination={false}
              scroll={{ x: 760 }}
              locale={{ emptyText: t('admin.jobs.noRuns') }}
              columns={[
                { title: t('admin.jobs.started'), dataIndex: 'started_at', render: (value: string) => formatDateTime(value, i18n.language) },
                { title: t('admin.jobs.trigger'), dataIndex: 'trigger', width: 100 },
                { title: t('admin.jobs.status'), dataIndex: 'status', width: 100, render: (value: string) => <Tag color={STATUS_COLORS[value] ?? 'default'}>{value}</Tag> },
                {
                  title: t('admin.jobs.users'),
                  width: 220,
                  render: (_, runRow) =>
                    t('admin.jobs.userCounts', {
                      considered: runRow.users_considered,
                      learned: runRow.users_learned,
                      skipped: runRow.users_skipped,
                      failed: runRow.users_failed,
                    }),
                },
                { title: t('admin.jobs.duration'), width: 90, render: (_, runRow) => duration(runRow) },
                { title: t('admin.jobs.error'), dataIndex: 'error', render: (value: string | null) => value || '—' },
              ]}
            />
          </Card>
        ))}
      </Flex>
    </section>
  );
}
