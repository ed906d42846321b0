import { Flex, Spin } from 'antd';
import { useTranslation } from 'react-i18next';

/** Shown while the session is being restored or a lazy page loads. */
export function FullPageSpinner() {
  const { t } = useTranslation();
  return (
    <Flex align="center" justify="center" style={{ minHeight: '50vh' }} role="status" aria-live="polite">
      <Spin size="large" description={t('app.loading')} />
    </Flex>
  );
}
