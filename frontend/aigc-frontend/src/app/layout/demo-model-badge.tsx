import { ExperimentOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { usePlatformInfo } from '@/lib/api/get-platform-info';

/** Warns that replies come from the scripted demo model (platform info says demo_model). */
export function DemoModelBadge() {
  const { t } = useTranslation();
  const { data } = usePlatformInfo();
  if (!data?.demo_model) return null;
  return (
    <Tooltip title={t('app.demoModelHint')}>
      <Tag color="orange" icon={<ExperimentOutlined aria-hidden />} tabIndex={0} aria-description={t('app.demoModelHint')}>
        {t('app.demoModel')}
      </Tag>
    </Tooltip>
  );
}
