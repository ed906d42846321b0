import { useTranslation } from 'react-i18next';
import { PlaceholderPage } from '@/components/placeholder-page';

/** Placeholder until the scenarios feature lands. */
export default function ScenariosRoute() {
  const { t } = useTranslation();
  return <PlaceholderPage title={t('pages.scenarios.title')} empty={t('pages.scenarios.empty')} hint={t('pages.comingSoon')} />;
}
