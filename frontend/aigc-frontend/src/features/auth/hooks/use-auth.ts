import { createContext, useContext } from 'react';
import type { UserPublic } from '@/client/types.gen';

export type AuthStatus = 'restoring' | 'authenticated' | 'anonymous';

export interface AuthState {
  /** restoring: the refresh on load (or the /auth/me after it) is still in flight. */
  status: AuthStatus;
  user: UserPublic | null;
  isAdmin: boolean;
  /**
   * Who was signed in before the session ended in this tab (null on a fresh load): a page they were on
   * is theirs to return to, not the next user's.
   */
  previousUserId: string | null;
  /** The session ended because the user signed out (not because it expired). */
  signedOut: boolean;
  signOut: () => Promise<void>;
}

export const AuthContext = createContext<AuthState | null>(null);

/** The session: who is signed in and how to sign out. Must be used under <AuthProvider>. */
export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth must be used within <AuthProvider>');
  return state;
}
