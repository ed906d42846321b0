import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation } from 'react-router';
import { FullPageSpinner } from '@/components/full-page-spinner';
import { paths } from '@/config/paths';
import { useAuth } from '@/features/auth';

/** Where sign-in sends the user back to, and whose page it was (absent for a link opened signed out). */
export interface FromState {
  from?: string;
  userId?: string;
}

/**
 * Renders the child routes only for a signed-in user; others go to sign-in and come back after. Signing
 * out forgets the page: whoever signs in next starts at home.
 */
export function RequireAuth({ children }: { children?: ReactNode }) {
  const { status, signedOut, previousUserId } = useAuth();
  const location = useLocation();
  if (status === 'restoring') return <FullPageSpinner />;
  if (status === 'anonymous') {
    if (signedOut) return <Navigate to={paths.signIn} replace />;
    const from = `${location.pathname}${location.search}${location.hash}`;
    const state: FromState = previousUserId ? { from, userId: previousUserId } : { from };
    return <Navigate to={paths.signIn} replace state={state} />;
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

/**
 * Sign-in and register: a signed-in user is sent on to where they were going, unless that was another
 * user's page (their session expired and someone else signed in).
 */
export function PublicOnly({ children }: { children?: ReactNode }) {
  const { status, user } = useAuth();
  const location = useLocation();
  if (status === 'restoring') return <FullPageSpinner />;
  if (status === 'authenticated') {
    const { from, userId } = (location.state as FromState | null) ?? {};
    const theirs = !userId || userId === user?.id;
    return <Navigate to={from && from !== paths.signIn && theirs ? from : paths.home} replace />;
  }
  return children ?? <Outlet />;
}
