import { StarFilled, StarOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ScenarioPublic } from '@/client/types.gen';
import { localizeScenario } from '../localize';

export interface ScenarioCardProps {
  scenario: ScenarioPublic;
  onStart: (prompt?: string) => void;
  onToggleFavorite: () => void;
  disabled?: boolean;
}

/** One scenario of the gallery: what it does, a few prompts to start with, and a favourite star. */
export function ScenarioCard({ scenario, onStart, onToggleFavorite, disabled }: ScenarioCardProps) {
  const { t, i18n } = useTranslation();
  const text = localizeScenario(scenario, i18n.language);
  const favorite = scenario.user_config?.is_favorite ?? false;
  const headingId = `scenario-${scenario.id}`;

  return (
    <Card className="scenario-card" size="small" role="article" aria-labelledby={headingId}>
      <Flex vertical gap={10} style={{ height: '100%' }}>
        <Flex align="flex-start" gap={12}>
          <span className="scenario-icon" aria-hidden>
            {scenario.icon || '🤖'}
          </span>
          <Flex vertical style={{ flex: 1, minWidth: 0 }}>
            <Typography.Title level={2} id={headingId} style={{ fontSize: 16, margin: 0 }} ellipsis>
              {text.name}
            </Typography.Title>
            <Flex gap={4} wrap>
              <Tag color="blue" variant="filled">
                {scenario.category}
              </Tag>
              {scenario.is_default ? <Tag color="gold">{t('scenarios.default')}</Tag> : null}
            </Flex>
          </Flex>
          <Tooltip title={favorite ? t('scenarios.unfavorite') : t('scenarios.favorite')}>
            <Button
              type="text"
              aria-pressed={favorite}
              aria-label={t('scenarios.favoriteLabel', { name: text.name })}
              icon={favorite ? <StarFilled style={{ color: '#faad14' }} aria-hidden /> : <StarOutlined aria-hidden />}
              onClick={onToggleFavorite}
            />
          </Tooltip>
        </Flex>
        <Typography.Paragraph type="secondary" ellipsis={{ rows: 3 }} style={{ margin: 0, minHeight: 22 * 3 }}>
          {text.description || '—'}
        </Typography.Paragraph>
        {scenario.tags.length > 0 ? (
          <Flex gap={4} wrap aria-label={t('scenarios.tags')}>
            {scenario.tags.map((tag) => (
              <Tag key={tag}>#{tag}</Tag>
            ))}
          </Flex>
        ) : null}
        {text.examplePrompts.length > 0 ? (
          <Flex vertical gap={4} className="example-prompts">
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('scenarios.tryPrompt')}
            </Typography.Text>
            {text.examplePrompts.slice(0, 3).map((prompt) => (
              <Button
                key={prompt}
                size="small"
                className="example-prompt"
                disabled={disabled}
                onClick={() => onStart(prompt)}
                title={prompt}
              >
                <span className="example-prompt-text">{prompt}</span>
              </Button>
            ))}
          </Flex>
        ) : null}
        <div style={{ flex: 1 }} />
        <Button type="primary" block disabled={disabled} onClick={() => onStart()}>
          {t('scenarios.start')}
        </Button>
      </Flex>
    </Card>
  );
}
