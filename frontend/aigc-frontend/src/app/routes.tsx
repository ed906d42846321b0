import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { FullPageSpinner } from '@/components/full-page-spinner';
import { paths } from '@/config/paths';
import { PublicOnly, RequireAdmin, RequireAuth } from './guards';
import { AppLayout } from './layout/app-layout';
import { AuthLayout } from './layout/auth-layout';

const SignIn = lazy(() => import('./routes/sign-in'));
const Register = lazy(() => import('./routes/register'));
const Scenarios = lazy(() => import('./routes/scenarios'));
const Chat = lazy(() => import('./routes/chat'));
const History = lazy(() => import('./routes/history'));
const Skills = lazy(() => import('./routes/skills'));
const Preferences = lazy(() => import('./routes/preferences'));
const Admin = lazy(() => import('./routes/admin'));
const NotFound = lazy(() => import('./routes/not-found'));

const page = (node: ReactNode) => <Suspense fallback={<FullPageSpinner />}>{node}</Suspense>;

/** The route tree, shared by the browser router and the tests' memory routers. */
export const routes: RouteObject[] = [
  {
    element: (
      <PublicOnly>
        <AuthLayout />
      </PublicOnly>
    ),
    children: [
      { path: paths.signIn, element: page(<SignIn />) },
      { path: paths.register, element: page(<Register />) },
    ],
  },
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { path: paths.home, element: <Navigate to={paths.scenarios} replace /> },
      { path: paths.scenarios, element: <Scenarios /> },
      { path: `${paths.chat}/*`, element: <Chat /> },
      { path: paths.history, element: <History /> },
      { path: paths.skills, element: <Skills /> },
      { path: paths.preferences, element: <Preferences /> },
      {
        path: paths.admin,
        element: (
          <RequireAdmin>
            <Admin />
          </RequireAdmin>
        ),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
];
