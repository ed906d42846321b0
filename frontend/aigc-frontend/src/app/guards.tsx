import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation } from 'react-router';
import { FullPageSpinner } from '@/components/full-page-spinner';
import { paths } from '@/config/paths';
import { useAuth } from '@/features/auth';

/** Where sign-in sends the user back to. */
export interface FromState {
  from?: string;
}

/** Renders the child routes only for a signed-in user; others go to sign-in and come back after. */
export function RequireAuth({ children }: { children?: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'restoring') return <FullPageSpinner />;
  if (status === 'anonymous') {
    const from = `${location.pathname}${location.search}${location.hash}`;
    return <Navigate to={paths.signIn} replace state={{ from } satisfies FromState} />;
  }
  return children ?? <Outlet />;
}

/** Renders the child routes only for admins; a signed-in non-admin sees a 403 page. */
export function RequireAdmin({ children }: { children?: ReactNode }) {
  const { isAdmin } = useAuth();
  const { t } = useTranslation();
  if (!isAdmin) {
    return <Result status="403" title={t('pages.forbidden.title')} subTitle={t('pages.forbidden.description')} />;
  }
  return children ?? <Outlet />;
}

/** Sign-in and register: a signed-in user is sent on to where they were going. */
export function PublicOnly({ children }: { children?: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'restoring') return <FullPageSpinner />;
  if (status === 'authenticated') {
    const from = (location.state as FromState | null)?.from;
    return <Navigate to={from && from !== paths.signIn ? from : paths.home} replace />;
  }
  return children ?? <Outlet />;
}
