import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { AuthCard } from '@/components/auth-card';
import { paths } from '@/config/paths';
import { SignInForm } from '@/features/auth';
import { usePlatformInfo } from '@/lib/api/get-platform-info';

export interface SignInState {
  from?: string;
  registeredUsername?: string;
}

export default function SignInRoute() {
  const { t } = useTranslation();
  const { data: info } = usePlatformInfo();
  const state = useLocation().state as SignInState | null;
  const name = info?.name ?? t('app.name');

  return (
    <AuthCard title={t('auth.signInTitle')} subtitle={t('auth.signInSubtitle', { name })}>
      {state?.registeredUsername ? (
        <Alert type="success" showIcon title={t('auth.registered')} style={{ marginBottom: 16 }} />
      ) : null}
      <SignInForm initialUsername={state?.registeredUsername} />
      {info?.registration_mode === 'open' ? (
        <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0, textAlign: 'center' }}>
          {t('auth.noAccount')} <Link to={paths.register}>{t('auth.registerLink')}</Link>
        </Typography.Paragraph>
      ) : null}
    </AuthCard>
  );
}
