import {
  AppstoreOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  HistoryOutlined,
  MessageOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import { Button, Flex, Layout, Menu, type MenuProps, Space, theme, Typography } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { FullPageSpinner } from '@/components/full-page-spinner';
import { paths } from '@/config/paths';
import { useAuth } from '@/features/auth';
import { usePlatformInfo } from '@/lib/api/get-platform-info';
import { DemoModelBadge } from './demo-model-badge';
import { LanguageSwitch } from './language-switch';
import { ThemeSwitch } from './theme-switch';
import { UserMenu } from './user-menu';

const NAV = [
  { path: paths.scenarios, icon: <AppstoreOutlined />, key: 'scenarios' },
  { path: paths.chat, icon: <MessageOutlined />, key: 'chat' },
  { path: paths.history, icon: <HistoryOutlined />, key: 'history' },
  { path: paths.skills, icon: <ToolOutlined />, key: 'skills' },
  { path: paths.preferences, icon: <SettingOutlined />, key: 'preferences' },
  { path: paths.admin, icon: <SafetyCertificateOutlined />, key: 'admin', adminOnly: true },
] as const;

/** The signed-in frame: navigation on the side, switches and the user menu on top. */
export function AppLayout() {
  const { t } = useTranslation();
  const { isAdmin } = useAuth();
  const { data: info } = usePlatformInfo();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const { token } = theme.useToken();

  const items: MenuProps['items'] = NAV.filter((item) => !('adminOnly' in item) || isAdmin).map((item) => ({
    key: item.path,
    icon: item.icon,
    label: t(`nav.${item.key}`),
  }));
  const selected = NAV.find((item) => pathname === item.path || pathname.startsWith(`${item.path}/`))?.path;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Layout.Sider
        collapsible
        trigger={null}
        collapsed={collapsed}
        onCollapse={setCollapsed}
        breakpoint="lg"
        theme="light"
        width={220}
        style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}
      >
        <Flex align="center" style={{ height: 64, paddingInline: 20 }}>
          <Typography.Text strong ellipsis style={{ fontSize: 16 }}>
            {collapsed ? 'AIGC' : (info?.name ?? t('app.name'))}
          </Typography.Text>
        </Flex>
        <nav aria-label={t('nav.label')}>
          <Menu
            mode="inline"
            items={items}
            selectedKeys={selected ? [selected] : []}
            onClick={({ key }) => navigate(key)}
            style={{ borderInlineEnd: 'none' }}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: token.colorBgContainer,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
            paddingInline: 24,
          }}
        >
          <Flex align="center" style={{ height: '100%' }} gap={16}>
            <Button
              type="text"
              aria-label={collapsed ? t('nav.expand') : t('nav.collapse')}
              aria-expanded={!collapsed}
              icon={collapsed ? <MenuUnfoldOutlined aria-hidden /> : <MenuFoldOutlined aria-hidden />}
              onClick={() => setCollapsed((value) => !value)}
            />
            <span style={{ flex: 1 }} />
            <DemoModelBadge />
            <Space size="middle" align="center">
              <LanguageSwitch />
              <ThemeSwitch />
              <UserMenu />
            </Space>
          </Flex>
        </Layout.Header>
        <Layout.Content id="main" tabIndex={-1} style={{ padding: 24 }}>
          <Suspense fallback={<FullPageSpinner />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
