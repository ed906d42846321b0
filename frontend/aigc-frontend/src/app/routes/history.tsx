import { useTranslation } from 'react-i18next';
import { PlaceholderPage } from '@/components/placeholder-page';

/** Placeholder until the history feature lands. */
export default function HistoryRoute() {
  const { t } = useTranslation();
  return <PlaceholderPage title={t('pages.history.title')} empty={t('pages.history.empty')} hint={t('pages.comingSoon')} />;
}
