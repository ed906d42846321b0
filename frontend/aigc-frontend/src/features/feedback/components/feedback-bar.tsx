import { DislikeFilled, DislikeOutlined, LikeFilled, LikeOutlined } from '@ant-design/icons';
import { App, Button, Checkbox, Flex, Input, Popover, Rate, Select, Space, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FeedbackIn, FeedbackPublic } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { useDeleteFeedback, useFeedbackTags, usePutFeedback } from '../api/feedback-api';

export const FIXED_TAG_KEYS = ['too_long', 'too_short', 'wrong_format', 'inaccurate', 'off_topic', 'helpful', 'good_style'] as const;
type FixedTag = (typeof FIXED_TAG_KEYS)[number];
const isFixed = (tag: string): tag is FixedTag => (FIXED_TAG_KEYS as readonly string[]).includes(tag);

type Rating = FeedbackIn['rating'];

/** The fixed tags that make sense for each thumb; a tag the platform adds later is offered with both. */
const TAGS_FOR: Record<Rating, readonly FixedTag[]> = {
  up: ['helpful', 'good_style'],
  down: ['off_topic', 'inaccurate', 'too_long', 'too_short', 'wrong_format'],
};
const fitsRating = (tag: string, rating: Rating) => !isFixed(tag) || TAGS_FOR[rating].includes(tag);

/** Fixed tags in the order of TAGS_FOR (most telling first), others after them. */
function rank(tag: string, rating: Rating): number {
  const index = (TAGS_FOR[rating] as readonly string[]).indexOf(tag);
  return index === -1 ? TAGS_FOR[rating].length : index;
}

function DetailsForm({
  initial,
  onSave,
  onCancel,
  saving,
}: {
  initial: FeedbackIn;
  onSave: (body: FeedbackIn) => void;
  onCancel: () => void;
  saving: boolean;
}) {
  const { t, i18n } = useTranslation();
  const tags = useFeedbackTags();
  const known = (tags.data ?? FIXED_TAG_KEYS.map((key) => ({ key, labels: {} as Record<string, string> }))).map(
    (tag) => tag.key,
  );
  const fixed = known
    .filter((key) => fitsRating(key, initial.rating))
    .sort((a, b) => rank(a, initial.rating) - rank(b, initial.rating));
  const label = (key: string) =>
    isFixed(key) ? t(`feedback.tags.${key}`) : (tags.data?.find((tag) => tag.key === key)?.labels[i18n.language] ?? key);
  const [score, setScore] = useState(initial.score ?? 0);
  const [chosen, setChosen] = useState(() => (initial.tags ?? []).filter((tag) => fixed.includes(tag)));
  const [free, setFree] = useState(() => (initial.tags ?? []).filter((tag) => !known.includes(tag)));
  const [comment, setComment] = useState(initial.comment ?? '');

  return (
    <Flex vertical gap={12} style={{ width: 320 }} role="group" aria-label={t('feedback.details')}>
      <Flex align="center" gap={8}>
        <Typography.Text id="feedback-score">{t('feedback.score')}</Typography.Text>
        <Rate value={score} onChange={setScore} allowClear aria-labelledby="feedback-score" />
      </Flex>
      <Checkbox.Group
        value={chosen}
        onChange={(values) => setChosen(values as string[])}
        options={fixed.map((key) => ({ value: key, label: label(key) }))}
        aria-label={t('feedback.tagsLabel')}
      />
      <Select
        mode="tags"
        value={free}
        onChange={setFree}
        open={false}
        suffixIcon={null}
        placeholder={t('feedback.freeTags')}
        aria-label={t('feedback.freeTags')}
        tokenSeparators={[',', '，']}
        maxCount={5}
      />
      <Input.TextArea
        value={comment}
        onChange={(event) => setComment(event.target.value)}
        placeholder={t('feedback.comment')}
        aria-label={t('feedback.comment')}
        maxLength={2000}
        autoSize={{ minRows: 2, maxRows: 6 }}
      />
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button
          type="primary"
          loading={saving}
          onClick={() =>
            onSave({ rating: initial.rating, score: score || null, tags: [...chosen, ...free], comment: comment.trim() })
          }
        >
          {t('feedback.submit')}
        </Button>
      </Flex>
    </Flex>
  );
}

/** Thumbs up/down under an answer; a rating opens optional details (score, tags, comment). */
export function FeedbackBar({ messageId, initial }: { messageId: string; initial: FeedbackPublic | null | undefined }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [feedback, setFeedback] = useState<FeedbackIn | null>(() =>
    initial ? { rating: initial.rating, score: initial.score, tags: initial.tags, comment: initial.comment } : null,
  );
  const [open, setOpen] = useState(false);
  // What a thumb click replaced: Cancel in the details it opened puts this back. Undefined when the
  // details were opened on an existing rating (Cancel then only closes them).
  const [undo, setUndo] = useState<FeedbackIn | null | undefined>(undefined);
  const put = usePutFeedback();
  const remove = useDeleteFeedback();

  const save = (body: FeedbackIn, close = false) =>
    put.mutate(
      { messageId, body },
      {
        onSuccess: (saved) => {
          setFeedback({ rating: saved.rating, score: saved.score, tags: saved.tags, comment: saved.comment });
          if (close) {
            setOpen(false);
            message.success(t('feedback.thanks'));
          }
        },
        onError: (error) => message.error(describeError(error, t)),
      },
    );

  const rate = (rating: Rating) => {
    if (feedback?.rating === rating) {
      remove.mutate(messageId, {
        onSuccess: () => {
          setFeedback(null);
          setOpen(false);
        },
        onError: (error) => message.error(describeError(error, t)),
      });
      return;
    }
    const base = feedback ?? { tags: [], comment: '' };
    // A switch of thumb keeps the score and comment, but not tags that only fit the other thumb.
    save({ ...base, rating, tags: (base.tags ?? []).filter((tag) => fitsRating(tag, rating)) });
    setUndo(feedback);
    setOpen(true);
  };

  const cancel = () => {
    setOpen(false);
    if (undo === undefined) return;
    setUndo(undefined);
    const onError = (error: Error) => message.error(describeError(error, t));
    if (undo === null) {
      remove.mutate(messageId, { onSuccess: () => setFeedback(null), onError });
    } else {
      put.mutate({ messageId, body: undo }, { onSuccess: () => setFeedback(undo), onError });
    }
  };

  const thumb = (rating: Rating) => {
    const active = feedback?.rating === rating;
    const up = rating === 'up';
    const Icon = up ? (active ? LikeFilled : LikeOutlined) : active ? DislikeFilled : DislikeOutlined;
    return (
      // No tooltip while the details are open: it would sit over them (and over their Cancel button).
      <Tooltip title={up ? t('feedback.up') : t('feedback.down')} open={open ? false : undefined}>
        <Button
          type="text"
          size="small"
          aria-pressed={active}
          aria-label={up ? t('feedback.up') : t('feedback.down')}
          icon={<Icon aria-hidden />}
          onClick={() => rate(rating)}
          disabled={put.isPending || remove.isPending}
        />
      </Tooltip>
    );
  };

  return (
    <Space size={0} className="feedback-bar" aria-label={t('feedback.label')} role="group">
      {thumb('up')}
      {thumb('down')}
      {feedback ? (
        <Popover
          open={open}
          onOpenChange={(next) => {
            setOpen(next);
            // Closed by clicking elsewhere: the rating stands.
            if (!next) setUndo(undefined);
          }}
          trigger="click"
          placement="bottomRight"
          title={feedback.rating === 'up' ? t('feedback.upTitle') : t('feedback.downTitle')}
          content={
            <DetailsForm
              key={feedback.rating}
              initial={feedback}
              saving={put.isPending}
              onCancel={cancel}
              onSave={(body) => {
                setUndo(undefined);
                save(body, true);
              }}
            />
          }
          destroyOnHidden
        >
          <Button type="link" size="small" onClick={() => setUndo(undefined)}>
            {feedback.tags?.length || feedback.comment || feedback.score ? t('feedback.editDetails') : t('feedback.addDetails')}
          </Button>
        </Popover>
      ) : null}
    </Space>
  );
}
