import { CheckCircleOutlined, CloseCircleOutlined, LoadingOutlined, StopOutlined } from '@ant-design/icons';
import { Collapse, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ToolCallView } from '../turn/turn-reducer';

function StatusIcon({ tool }: { tool: ToolCallView }) {
  const { t } = useTranslation();
  if (tool.denied) return <StopOutlined aria-label={t('chat.tool.denied')} style={{ color: 'var(--ant-color-error)' }} />;
  if (!tool.finished) return <LoadingOutlined aria-label={t('chat.tool.running')} />;
  if (tool.isError) return <CloseCircleOutlined aria-label={t('chat.tool.failed')} style={{ color: 'var(--ant-color-error)' }} />;
  return <CheckCircleOutlined aria-label={t('chat.tool.done')} style={{ color: 'var(--ant-color-success)' }} />;
}

/** The tool calls of an answer: one compact line each, expandable to the input and the result. */
export function ToolCalls({ tools }: { tools: ToolCallView[] }) {
  const { t } = useTranslation();
  if (tools.length === 0) return null;
  return (
    <Collapse
      size="small"
      className="tool-calls"
      aria-label={t('chat.tool.listLabel')}
      items={tools.map((tool) => ({
        key: tool.id,
        label: (
          <span className="tool-call-header" data-testid="tool-call">
            <StatusIcon tool={tool} />
            <Typography.Text strong>{tool.name}</Typography.Text>
            <Typography.Text type="secondary" ellipsis className="tool-call-input">
              {tool.input}
            </Typography.Text>
            {tool.denied ? <Tag color="error">{t('chat.tool.denied')}</Tag> : null}
            {!tool.denied && tool.isError ? <Tag color="error">{t('chat.tool.failed')}</Tag> : null}
          </span>
        ),
        children: (
          <dl className="tool-call-detail">
            <dt>{t('chat.tool.input')}</dt>
            <dd>
              <pre>{tool.input || '—'}</pre>
            </dd>
            <dt>{tool.denied ? t('chat.tool.denialReason') : t('chat.tool.result')}</dt>
            <dd>
              <pre>{(tool.denied ? tool.denialReason : tool.result) || (tool.finished ? '—' : t('chat.tool.running'))}</pre>
            </dd>
          </dl>
        ),
      }))}
    />
  );
}
