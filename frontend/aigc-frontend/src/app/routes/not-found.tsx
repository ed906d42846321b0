import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { paths } from '@/config/paths';

export default function NotFoundRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={t('pages.notFound.title')}
      extra={
        <Button type="primary" onClick={() => navigate(paths.home)}>
          {t('pages.notFound.back')}
        </Button>
      }
    />
  );
}
