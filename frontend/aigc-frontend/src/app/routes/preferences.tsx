import { useTranslation } from 'react-i18next';
import { PlaceholderPage } from '@/components/placeholder-page';

/** Placeholder until the preferences feature lands. */
export default function PreferencesRoute() {
  const { t } = useTranslation();
  return <PlaceholderPage title={t('pages.preferences.title')} empty={t('pages.preferences.empty')} hint={t('pages.comingSoon')} />;
}
