import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { AuthCard } from '@/components/auth-card';
import { FullPageSpinner } from '@/components/full-page-spinner';
import { paths } from '@/config/paths';
import { RegisterForm } from '@/features/auth';
import { usePlatformInfo } from '@/lib/api/get-platform-info';
import type { SignInState } from './sign-in';

/** Self-service sign-up; only reachable when the platform's registration_mode is "open". */
export default function RegisterRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: info, isPending } = usePlatformInfo();

  if (isPending) return <FullPageSpinner />;
  if (info?.registration_mode !== 'open') return <Navigate to={paths.signIn} replace />;

  return (
    <AuthCard title={t('auth.registerTitle')}>
      <RegisterForm
        onRegistered={(username) =>
          navigate(paths.signIn, { state: { registeredUsername: username } satisfies SignInState })
        }
      />
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0, textAlign: 'center' }}>
        {t('auth.haveAccount')} <Link to={paths.signIn}>{t('auth.signInLink')}</Link>
      </Typography.Paragraph>
    </AuthCard>
  );
}
