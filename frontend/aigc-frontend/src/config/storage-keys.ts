/** localStorage keys. The access token is deliberately absent: it lives in memory only. */
export const STORAGE_KEYS = {
  language: 'aigc.language',
  theme: 'aigc.theme',
  /** "1" while this browser holds a sign-in (the refresh cookie itself is httpOnly, unreadable here). */
  signedIn: 'aigc.signedIn',
} as const;
