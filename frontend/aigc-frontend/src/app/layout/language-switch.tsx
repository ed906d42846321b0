import { GlobalOutlined } from '@ant-design/icons';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { changeLanguage, isLanguage, type Language } from '@/i18n';

const OPTIONS: { value: Language; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en-US', label: 'English' },
];

/** Language picker; the choice is saved in localStorage. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Select<Language>
      aria-label={t('header.language')}
      value={isLanguage(i18n.language) ? i18n.language : 'zh-CN'}
      options={OPTIONS}
      onChange={(value) => void changeLanguage(value)}
      prefix={<GlobalOutlined aria-hidden />}
      popupMatchSelectWidth={false}
      variant="borderless"
      style={{ minWidth: 130 }}
    />
  );
}
