import { Alert, Card, Col, Empty, Flex, Row, Segmented, Spin, Statistic, theme, Typography } from 'antd';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { describeError } from '@/lib/describe-error';
import { formatUsd } from '@/lib/format';
import { useStats } from '../api/get-stats';

const PALETTE = ['#1677ff', '#52c41a', '#fa8c16', '#eb2f96', '#13c2c2', '#722ed1'];

// The server counts days in UTC: whole UTC days back, so a daylight-saving change cannot shift the start by an hour.
function isoDaysAgo(days: number): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

function ChartCard({ title, children, empty }: { title: string; children: ReactNode; empty: boolean }) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={<h2 className="chart-title">{title}</h2>}>
      <div style={{ height: 260 }} role="img" aria-label={title}>
        {empty ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('stats.noData')} /> : children}
      </div>
    </Card>
  );
}

/** The admin dashboard: sessions, messages and cost per day; by scenario; by model; satisfaction. */
export function StatsDashboard() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const [days, setDays] = useState<number>(30);
  const range = useMemo(() => ({ from: days ? isoDaysAgo(days - 1) : null, to: null }), [days]);
  const { data, error, isPending, isFetching } = useStats(range);

  const axis = { stroke: token.colorTextSecondary, fontSize: 12 };
  const grid = <CartesianGrid stroke={token.colorBorderSecondary} strokeDasharray="3 3" />;
  const tooltip = (
    <Tooltip
      contentStyle={{ background: token.colorBgElevated, border: `1px solid ${token.colorBorder}`, color: token.colorText }}
      labelStyle={{ color: token.colorText }}
    />
  );
  const satisfaction = useMemo(
    () =>
      (data?.by_scenario ?? [])
        .filter((row) => row.satisfaction !== null && row.satisfaction !== undefined)
        .map((row) => ({ name: row.scenario_name, satisfaction: Math.round((row.satisfaction ?? 0) * 100), up: row.feedback_up, down: row.feedback_down })),
    [data],
  );

  return (
    <section aria-labelledby="dashboard-title">
      <Flex align="center" justify="space-between" wrap gap={12} style={{ marginBottom: 16 }}>
        <Typography.Title level={2} id="dashboard-title" style={{ fontSize: 18, margin: 0 }}>
          {t('stats.title')}
        </Typography.Title>
        <Flex align="center" gap={8}>
          {isFetching ? <Spin size="small" /> : null}
          <Segmented
            aria-label={t('stats.range')}
            value={days}
            onChange={(value) => setDays(value as number)}
            options={[
              { value: 7, label: t('stats.days', { count: 7 }) },
              { value: 30, label: t('stats.days', { count: 30 }) },
              { value: 90, label: t('stats.days', { count: 90 }) },
              { value: 0, label: t('stats.all') },
            ]}
          />
        </Flex>
      </Flex>
      {error ? <Alert type="error" showIcon title={describeError(error, t)} /> : null}
      {isPending ? <Spin style={{ display: 'block', margin: '48px auto' }} /> : null}
      {data ? (
        <Flex vertical gap={16}>
          <Row gutter={[16, 16]}>
            {[
              { key: 'sessions', value: data.totals.sessions ?? 0 },
              { key: 'messages', value: data.totals.messages ?? 0 },
              { key: 'turns', value: data.totals.turns ?? 0 },
              { key: 'errors', value: data.totals.errors ?? 0 },
              { key: 'tokens', value: (data.totals.input_tokens ?? 0) + (data.totals.output_tokens ?? 0) },
              { key: 'cost', value: formatUsd(data.totals.cost_usd ?? 0) },
            ].map((item) => (
              <Col key={item.key} xs={12} md={8} xl={4}>
                <Card size="small">
                  <Statistic title={t(`stats.totals.${item.key as 'sessions'}`)} value={item.value} />
                </Card>
              </Col>
            ))}
          </Row>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              <ChartCard title={t('stats.perDay')} empty={data.by_day.length === 0}>
                <ResponsiveContainer>
                  <LineChart data={data.by_day} margin={{ top: 8, right: 16, bottom: 0, left: -8 }}>
                    {grid}
                    <XAxis dataKey="day" tick={axis} stroke={token.colorBorder} />
                    <YAxis allowDecimals={false} tick={axis} stroke={token.colorBorder} />
                    {tooltip}
                    <Legend />
                    <Line type="monotone" dataKey="sessions" name={t('stats.totals.sessions')} stroke={PALETTE[0]} dot={false} strokeWidth={2} />
                    <Line type="monotone" dataKey="messages" name={t('stats.totals.messages')} stroke={PALETTE[1]} dot={false} strokeWidth={2} />
                  </LineChart>
                </ResponsiveContainer>
              </ChartCard>
            </Col>
            <Col xs={24} xl={12}>
              <ChartCard title={t('stats.costPerDay')} empty={data.by_day.length === 0}>
                <ResponsiveContainer>
                  <BarChart data={data.by_day} margin={{ top: 8, right: 16, bottom: 0, left: -8 }}>
                    {grid}
                    <XAxis dataKey="day" tick={axis} stroke={token.colorBorder} />
                    <YAxis tick={axis} stroke={token.colorBorder} />
                    {tooltip}
                    <Bar dataKey="cost_usd" name={t('stats.totals.cost')} fill={PALETTE[2]} radius={[4, 4, 0, 0]} />
                  </BarChart>
                </ResponsiveContainer>
              </ChartCard>
            </Col>
            <Col xs={24} xl={12}>
              <ChartCard title={t('stats.byScenario')} empty={data.by_scenario.length === 0}>
                <ResponsiveContainer>
                  <BarChart data={data.by_scenario} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
                    {grid}
                    <XAxis type="number" allowDecimals={false} tick={axis} stroke={token.colorBorder} />
                    <YAxis type="category" dataKey="scenario_name" width={120} tick={axis} stroke={token.colorBorder} />
                    {tooltip}
                    <Legend />
                    <Bar dataKey="sessions" name={t('stats.totals.sessions')} fill={PALETTE[0]} />
                    <Bar dataKey="messages" name={t('stats.totals.messages')} fill={PALETTE[4]} />
                  </BarChart>
                </ResponsiveContainer>
              </ChartCard>
            </Col>
            <Col xs={24} xl={12}>
              <ChartCard title={t('stats.byModel')} empty={data.by_model.length === 0}>
                <ResponsiveContainer>
                  <BarChart data={data.by_model} margin={{ top: 8, right: 16, bottom: 0, left: -8 }}>
                    {grid}
                    <XAxis dataKey="model" tick={axis} stroke={token.colorBorder} />
                    <YAxis yAxisId="turns" allowDecimals={false} tick={axis} stroke={token.colorBorder} />
                    <YAxis yAxisId="cost" orientation="right" tick={axis} stroke={token.colorBorder} />
                    {tooltip}
                    <Legend />
                    <Bar yAxisId="turns" dataKey="turns" name={t('stats.totals.turns')} fill={PALETTE[5]} />
                    <Bar yAxisId="cost" dataKey="cost_usd" name={t('stats.totals.cost')} fill={PALETTE[2]} />
                  </BarChart>
                </ResponsiveContainer>
              </ChartCard>
            </Col>
            <Col xs={24}>
              <ChartCard title={t('stats.satisfaction')} empty={satisfaction.length === 0}>
                <ResponsiveContainer>
                  <BarChart data={satisfaction} margin={{ top: 8, right: 16, bottom: 0, left: -8 }}>
                    {grid}
                    <XAxis dataKey="name" tick={axis} stroke={token.colorBorder} />
                    <YAxis domain={[0, 100]} unit="%" tick={axis} stroke={token.colorBorder} />
                    {tooltip}
                    <Bar dataKey="satisfaction" name={t('stats.satisfactionShare')} fill={PALETTE[1]} radius={[4, 4, 0, 0]} />
                  </BarChart>
                </ResponsiveContainer>
              </ChartCard>
            </Col>
          </Row>
        </Flex>
      ) : null}
    </section>
  );
}
