import { ExperimentOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { usePlatformInfo } from '@/lib/api/get-platform-info';

/** Warns that replies come from the scripted demo model (platform info says demo_model). */
export function DemoModelBadge({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { data } = usePlatformInfo();
  if (!data?.demo_model) return null;
  return (
    <Tooltip title={t('app.demoModelHint')}>
      <Tag
        color="orange"
        icon={<ExperimentOutlined aria-hidden />}
        tabIndex={0}
        aria-label={compact ? t('app.demoModel') : undefined}
        aria-description={t('app.demoModelHint')}
        style={compact ? { marginInlineEnd: 0 } : undefined}
      >
        {compact ? null : t('app.demoModel')}
      </Tag>
    </Tooltip>
  );
}
