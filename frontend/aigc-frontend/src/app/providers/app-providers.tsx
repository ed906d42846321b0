import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { AuthProvider } from '@/features/auth';
import i18n from '@/i18n';
import { ThemeModeProvider } from './theme-mode';
import { UiProvider } from './ui-provider';

/** Every provider the app needs, in one place so tests render exactly what users get. */
export function AppProviders({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  return (
    <I18nextProvider i18n={i18n}>
      <ThemeModeProvider>
        <UiProvider>
          <QueryClientProvider client={queryClient}>
            <AuthProvider>{children}</AuthProvider>
          </QueryClientProvider>
        </UiProvider>
      </ThemeModeProvider>
    </I18nextProvider>
  );
}
