import { useTranslation } from 'react-i18next';
import { PlaceholderPage } from '@/components/placeholder-page';

/** Placeholder until the chat feature lands. */
export default function ChatRoute() {
  const { t } = useTranslation();
  return <PlaceholderPage title={t('pages.chat.title')} empty={t('pages.chat.empty')} hint={t('pages.comingSoon')} />;
}
