import type { SenderProps } from '@ant-design/x';
import { Input } from 'antd';
import type { ParseKeys } from 'i18next';
import type { ComponentProps } from 'react';
import { useTranslation } from 'react-i18next';

type TextAreaProps = ComponentProps<typeof Input.TextArea>;

/**
 * `components` for an @ant-design/x Sender whose textarea is named by the translation `labelKey`.
 *
 * Sender copies aria-* props to its wrapper <div> as well as the textarea, and a generic div may not carry a
 * name; its `components.input` slot names only the textarea. Call it once at module level: a stable component
 * keeps the textarea mounted across renders, and useTranslation follows language changes.
 */
export function labelledSenderInput(labelKey: ParseKeys): SenderProps['components'] {
  function LabelledTextArea(props: TextAreaProps) {
    const { t } = useTranslation();
    return <Input.TextArea {...props} aria-label={t(labelKey)} />;
  }
  return { input: LabelledTextArea };
}
