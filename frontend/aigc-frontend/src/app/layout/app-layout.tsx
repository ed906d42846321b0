import {
  AppstoreOutlined,
  MenuFoldOutlined,
  MenuOutlined,
  MenuUnfoldOutlined,
  HistoryOutlined,
  MessageOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import { Button, Drawer, Flex, Layout, Menu, type MenuProps, Space, theme, Typography } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { FullPageSpinner } from '@/components/full-page-spinner';
import { paths } from '@/config/paths';
import { useAuth } from '@/features/auth';
import { usePlatformInfo } from '@/lib/api/get-platform-info';
import { useIsPhone } from '@/lib/use-media-query';
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

/** The signed-in frame: navigation on the side (a drawer on phones), switches and the user menu on top. */
export function AppLayout() {
  const { t } = useTranslation();
  const { isAdmin } = useAuth();
  const { data: info } = usePlatformInfo();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const phone = useIsPhone();
  const { token } = theme.useToken();
  const brand = info?.name ?? t('app.name');

  const items: MenuProps['items'] = NAV.filter((item) => !('adminOnly' in item) || isAdmin).map((item) => ({
    key: item.path,
    icon: item.icon,
    label: t(`nav.${item.key}`),
  }));
  const selected = NAV.find((item) => pathname === item.path || pathname.startsWith(`${item.path}/`))?.path;
  const menu = (
    <nav aria-label={t('nav.label')}>
      <Menu
        mode="inline"
        items={items}
        selectedKeys={selected ? [selected] : []}
        onClick={({ key }) => {
          setDrawerOpen(false);
          navigate(key);
        }}
        style={{ borderInlineEnd: 'none' }}
      />
    </nav>
  );

  if (phone) {
    return (
      <Layout className="app-phone" style={{ minHeight: '100dvh' }}>
        <a className="skip-link" href="#main">
          {t('app.skipToContent')}
        </a>
        <Layout.Header className="app-header" style={{ background: token.colorBgContainer, borderBottom: `1px solid ${token.colorBorderSecondary}` }}>
          <Flex align="center" style={{ height: '100%' }} gap={8}>
            <Button
              type="text"
              aria-label={t('nav.open')}
              aria-expanded={drawerOpen}
              icon={<MenuOutlined aria-hidden />}
              onClick={() => setDrawerOpen(true)}
            />
            <Typography.Text strong className="app-brand">
              {brand}
            </Typography.Text>
            <DemoModelBadge compact />
            <UserMenu compact />
          </Flex>
        </Layout.Header>
        <Drawer
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          placement="left"
          size={280}
          title={brand}
          closable={{ 'aria-label': t('nav.close') }}
          styles={{ body: { padding: 0, display: 'flex', flexDirection: 'column' } }}
        >
          {menu}
          <Flex vertical gap={12} className="app-drawer-settings">
            <LanguageSwitch />
            <Flex align="center" gap={8}>
              <ThemeSwitch />
              <Typography.Text>{t('header.darkMode')}</Typography.Text>
            </Flex>
          </Flex>
        </Drawer>
        <Layout.Content id="main" tabIndex={-1} style={{ padding: 12, minWidth: 0 }}>
          <Suspense fallback={<FullPageSpinner />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    );
  }

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
        <Flex align="center" style={{ minHeight: 64, paddingInline: 20, paddingBlock: 8 }}>
          {/* The whole name, on two lines if it must: a cut-off brand reads as a bug. */}
          <Typography.Text strong className="app-brand-side" style={{ fontSize: 16 }}>
            {collapsed ? 'AIGC' : brand}
          </Typography.Text>
        </Flex>
        {menu}
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
