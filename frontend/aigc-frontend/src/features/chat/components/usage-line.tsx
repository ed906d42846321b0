import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatUsd } from '@/lib/format';
import type { TurnUsage } from '../turn/events';

/** Tokens, cost and time of one answer, under it. */
export function UsageLine({ usage }: { usage: TurnUsage }) {
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat(i18n.language);
  return (
    <Typography.Text type="secondary" className="usage-line" data-testid="usage-line">
      {t('chat.usage', {
        input: number.format(usage.input_tokens + (usage.cache_read_tokens ?? 0) + (usage.cache_creation_tokens ?? 0)),
        output: number.format(usage.output_tokens),
        cost: formatUsd(usage.cost_usd),
        seconds: (usage.duration_ms / 1000).toFixed(1),
      })}
      {usage.model ? ` · ${usage.model}` : ''}
    </Typography.Text>
  );
}
