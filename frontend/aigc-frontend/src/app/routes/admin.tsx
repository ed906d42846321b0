import { Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { JobsAdmin, ScenariosAdmin, UsersAdmin } from '@/features/admin';
import { useAuth } from '@/features/auth';
import { SkillsPage } from '@/features/skills';
import { StatsDashboard } from '@/features/stats';

const TABS = ['dashboard', 'users', 'scenarios', 'skills', 'jobs'] as const;
type Tab = (typeof TABS)[number];

/** Administration, one tab per area; the tab is in the URL (?tab=) so it can be linked and reloaded. */
export default function AdminRoute() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab') as Tab | null;
  const tab: Tab = requested && TABS.includes(requested) ? requested : 'dashboard';
  const content: Record<Tab, React.ReactNode> = {
    dashboard: <StatsDashboard />,
    users: <UsersAdmin currentUserId={user?.id ?? null} />,
    scenarios: <ScenariosAdmin />,
    skills: <SkillsPage canPublish userId={user?.id ?? null} title={t('admin.tabs.skills')} headingLevel={2} />,
    jobs: <JobsAdmin />,
  };
  return (
    <section aria-labelledby="page-title">
      <Typography.Title level={1} id="page-title" style={{ fontSize: 24, marginTop: 0 }}>
        {t('pages.admin.title')}
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams({ tab: key }, { replace: true })}
        destroyOnHidden
        items={TABS.map((key) => ({ key, label: t(`admin.tabs.${key}`), children: content[key] }))}
      />
    </section>
  );
}
