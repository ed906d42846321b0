import type { TFunction } from 'i18next';
import { ApiRequestError } from './api-error';

/** Error codes the UI has its own wording for; any other code shows the server's message. */
const TRANSLATED_CODES = [
  'invalid_credentials',
  'account_disabled',
  'too_many_attempts',
  'registration_closed',
] as const;
type TranslatedCode = (typeof TRANSLATED_CODES)[number];

function isTranslated(code: string | null): code is TranslatedCode {
  return TRANSLATED_CODES.includes(code as TranslatedCode);
}

/** A sentence for the person in front of the screen, in their language where we know the error. */
export function describeError(error: unknown, t: TFunction): string {
  if (!(error instanceof ApiRequestError)) return t('errors.network');
  if (error.code === 'too_many_attempts' && error.retryAfterSeconds) {
    return t('errors.too_many_attempts_retry', { seconds: error.retryAfterSeconds });
  }
  if (isTranslated(error.code)) return t(`errors.${error.code}`);
  if (error.status === 0) return t('errors.network');
  return error.body?.message ?? t('errors.unknown');
}
