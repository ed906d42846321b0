import { PreferencesPage } from '@/features/preferences';

/** What the platform learned from the user's feedback. */
export default function PreferencesRoute() {
  return <PreferencesPage />;
}
