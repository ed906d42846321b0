import { Sender, Welcome } from '@ant-design/x';
import { Alert, Button, Flex } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { labelledSenderInput } from '@/components/labelled-sender-input';
import { paths } from '@/config/paths';
import { describeError } from '@/lib/describe-error';
import { useStartChat } from '../hooks/use-start-chat';

const newChatInput = labelledSenderInput('chat.newInputLabel');

/** No session open: start one, the platform picking the scenario from the first message. */
export function NewChat() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const { start, isPending, error } = useStartChat();

  return (
    <Flex vertical gap={24} className="new-chat">
      <Welcome
        variant="borderless"
        icon="💬"
        title={<span id="page-title">{t('chat.newTitle')}</span>}
        description={t('chat.newDescription')}
        extra={<Button onClick={() => navigate(paths.scenarios)}>{t('chat.browseScenarios')}</Button>}
      />
      {error ? <Alert type="error" showIcon title={describeError(error, t)} /> : null}
      <Sender
        value={text}
        onChange={setText}
        loading={isPending}
        placeholder={t('chat.autoPlaceholder')}
        components={newChatInput}
        onSubmit={(value) => {
          if (value.trim()) void start({ scenarioId: 'auto', prompt: value }).catch(() => undefined);
        }}
      />
    </Flex>
  );
}
