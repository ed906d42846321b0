/** localStorage keys. The access token is deliberately absent: it lives in memory only. */
export const STORAGE_KEYS = {
  language: 'aigc.language',
  theme: 'aigc.theme',
} as const;
