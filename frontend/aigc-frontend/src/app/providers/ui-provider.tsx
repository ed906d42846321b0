import { XProvider } from '@ant-design/x';
import xEnUS from '@ant-design/x/locale/en_US';
import xZhCN from '@ant-design/x/locale/zh_CN';
import { App as AntdApp, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useThemeMode } from './theme-mode';

/** No animations for people who ask for less motion, nor in unit tests (they would only wait for them). */
const reducedMotion =
  import.meta.env.MODE === 'test' || !!globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

const LOCALES = {
  'zh-CN': { ...zhCN, ...xZhCN },
  'en-US': { ...enUS, ...xEnUS },
};

/** antd + Ant Design X configuration: locale follows i18next, algorithm follows the theme mode. */
export function UiProvider({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const { mode } = useThemeMode();
  const locale = i18n.language === 'en-US' ? LOCALES['en-US'] : LOCALES['zh-CN'];

  return (
    <XProvider
      locale={locale}
      theme={{
        algorithm: mode === 'dark' ? theme.darkAlgorithm : theme.defaultAlgorithm,
        cssVar: { key: 'aigc' },
        token: { motion: !reducedMotion },
      }}
    >
      <AntdApp className={`aigc-app aigc-theme-${mode}`}>{children}</AntdApp>
    </XProvider>
  );
}
