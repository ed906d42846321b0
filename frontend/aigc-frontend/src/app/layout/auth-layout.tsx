import { Flex, Layout } from 'antd';
import { Outlet } from 'react-router';
import { LanguageSwitch } from './language-switch';
import { ThemeSwitch } from './theme-switch';

/** Frame of the sign-in and register pages: the language and theme switches stay reachable. */
export function AuthLayout() {
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Flex component="header" justify="flex-end" align="center" gap={12} style={{ position: 'absolute', top: 12, right: 16 }}>
        <LanguageSwitch />
        <ThemeSwitch />
      </Flex>
      <Outlet />
    </Layout>
  );
}
