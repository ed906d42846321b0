import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Spin, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { MarkdownView } from '@/components/markdown-view';
import type { TurnUsage } from '../turn/events';
import type { ToolCallView } from '../turn/turn-reducer';
import { ToolCalls } from './tool-calls';
import { UsageLine } from './usage-line';

export interface AnswerProps {
  text: string;
  tools: ToolCallView[];
  usage: TurnUsage | null;
  /** running: still streaming; queued: waiting for a slot; connecting: request sent. */
  state: 'connecting' | 'queued' | 'running' | 'ok' | 'error' | 'stopped';
  queuePosition?: number | null;
  error?: string | null;
  onRetry?: () => void;
  extra?: ReactNode;
}

/** One assistant answer: tool calls, the Markdown text, its status, usage and actions. */
export function Answer({ text, tools, usage, state, queuePosition, error, onRetry, extra }: AnswerProps) {
  const { t } = useTranslation();
  const busy = state === 'connecting' || state === 'queued' || state === 'running';
  return (
    <div className="answer" aria-busy={busy}>
      <ToolCalls tools={tools} />
      {text ? <MarkdownView text={text} /> : null}
      {state === 'queued' ? (
        <Flex align="center" gap={8} role="status">
          <Spin size="small" />
          <Typography.Text type="secondary">
            {queuePosition ? t('chat.queuedAt', { position: queuePosition }) : t('chat.queued')}
          </Typography.Text>
        </Flex>
      ) : null}
      {(state === 'connecting' || state === 'running') && !text && tools.every((tool) => tool.finished) ? (
        <Flex align="center" gap={8} role="status">
          <Spin size="small" />
          <Typography.Text type="secondary">{t('chat.thinking')}</Typography.Text>
        </Flex>
      ) : null}
      {state === 'stopped' ? <Tag className="answer-tag">{t('chat.stopped')}</Tag> : null}
      {state === 'error' ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          className="answer-error"
          title={t('chat.failed')}
          description={error || t('errors.unknown')}
          action={
            onRetry ? (
              <Button size="small" icon={<ReloadOutlined aria-hidden />} onClick={onRetry}>
                {t('chat.retry')}
              </Button>
            ) : null
          }
        />
      ) : null}
      {!busy && (usage || extra) ? (
        <Flex align="center" justify="space-between" wrap gap={8} className="answer-footer">
          {usage ? <UsageLine usage={usage} /> : <span />}
          {extra}
        </Flex>
      ) : null}
    </div>
  );
}
