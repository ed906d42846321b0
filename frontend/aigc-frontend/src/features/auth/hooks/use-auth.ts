import { createContext, useContext } from 'react';
import type { UserPublic } from '@/client/types.gen';

export type AuthStatus = 'restoring' | 'authenticated' | 'anonymous';

export interface AuthState {
  /** restoring: the refresh on load (or the /auth/me after it) is still in flight. */
  status: AuthStatus;
  user: UserPublic | null;
  isAdmin: boolean;
  signOut: () => Promise<void>;
}

export const AuthContext = createContext<AuthState | null>(null);

/** The session: who is signed in and how to sign out. Must be used under <AuthProvider>. */
export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth must be used within <AuthProvider>');
  return state;
}
