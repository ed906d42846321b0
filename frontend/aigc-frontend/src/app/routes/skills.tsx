import { useTranslation } from 'react-i18next';
import { PlaceholderPage } from '@/components/placeholder-page';

/** Placeholder until the skills feature lands. */
export default function SkillsRoute() {
  const { t } = useTranslation();
  return <PlaceholderPage title={t('pages.skills.title')} empty={t('pages.skills.empty')} hint={t('pages.comingSoon')} />;
}
