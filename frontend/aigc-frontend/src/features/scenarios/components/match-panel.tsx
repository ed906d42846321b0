import { BulbOutlined } from '@ant-design/icons';
import { Sender } from '@ant-design/x';
import { Alert, Button, Card, Empty, Flex, Progress, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { labelledSenderInput } from '@/components/labelled-sender-input';
import { describeError } from '@/lib/describe-error';
import { useMatchScenarios } from '../api/match-scenarios';
import { localizeScenario } from '../localize';

const matchInput = labelledSenderInput('scenarios.match.inputLabel');

/** "Let the platform choose": type the first message, see ranked scenarios with reasons, pick one. */
export function MatchPanel({
  onStart,
  disabled,
}: {
  onStart: (scenarioId: string, prompt: string) => void;
  disabled?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  const [asked, setAsked] = useState('');
  const match = useMatchScenarios();

  const ask = (value: string) => {
    const prompt = value.trim();
    if (!prompt) return;
    setAsked(prompt);
    match.mutate(prompt);
  };

  return (
    <Card className="match-panel" size="small">
      <Flex vertical gap={12}>
        <Flex align="center" gap={8}>
          <BulbOutlined aria-hidden />
          <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
            {t('scenarios.match.title')}
          </Typography.Title>
        </Flex>
        <Typography.Text type="secondary">{t('scenarios.match.hint')}</Typography.Text>
        <Sender
          value={text}
          onChange={setText}
          onSubmit={ask}
          loading={match.isPending}
          placeholder={t('scenarios.match.placeholder')}
          components={matchInput}
          autoSize={{ minRows: 1, maxRows: 4 }}
        />
        {match.error ? <Alert type="error" showIcon title={describeError(match.error, t)} /> : null}
        {match.data ? (
          <div aria-live="polite">
            {match.data.fallback ? (
              <Alert type="info" showIcon title={t('scenarios.match.fallback')} style={{ marginBottom: 8 }} />
            ) : null}
            {/* A plain list: antd's List is deprecated in v6 and warns in the console. */}
            {match.data.items.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('scenarios.match.none')} />
            ) : (
              <ul className="match-results" aria-label={t('scenarios.match.results')}>
                {match.data.items.map((item) => {
                  const name = localizeScenario(item.scenario, i18n.language).name;
                  return (
                    <li key={item.scenario.id} className="match-result">
                      <span className="match-result-icon" aria-hidden>
                        {item.scenario.icon}
                      </span>
                      <Flex vertical className="match-result-text">
                        <Typography.Text strong>{name}</Typography.Text>
                        <Typography.Text type="secondary">{item.reason}</Typography.Text>
                      </Flex>
                      <Progress
                        type="circle"
                        size={36}
                        percent={Math.round(Math.min(1, item.score) * 100)}
                        aria-label={t('scenarios.match.score')}
                      />
                      <Button
                        type="primary"
                        size="small"
                        disabled={disabled}
                        aria-label={t('scenarios.match.useLabel', { name })}
                        onClick={() => onStart(item.scenario.id, asked)}
                      >
                        {t('scenarios.match.use')}
                      </Button>
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        ) : null}
      </Flex>
    </Card>
  );
}
