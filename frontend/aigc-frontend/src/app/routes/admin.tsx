import { useTranslation } from 'react-i18next';
import { PlaceholderPage } from '@/components/placeholder-page';

/** Placeholder until the admin feature lands. */
export default function AdminRoute() {
  const { t } = useTranslation();
  return <PlaceholderPage title={t('pages.admin.title')} empty={t('pages.admin.empty')} hint={t('pages.comingSoon')} />;
}
