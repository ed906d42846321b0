import { Alert, App, Empty, Flex, Input, Select, Spin, Switch, Typography } from 'antd';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '@/lib/describe-error';
import { useScenarios } from '../api/list-scenarios';
import { useUpdateMyScenarioConfig } from '../api/update-my-config';
import { localizeScenario } from '../localize';
import { MatchPanel } from './match-panel';
import { ScenarioCard } from './scenario-card';

export interface ScenarioGalleryProps {
  /** Starts a session with the scenario, sending `prompt` first when given. */
  onStart: (input: { scenarioId: string; prompt?: string }) => Promise<unknown>;
  starting?: boolean;
}

const ALL = '__all__';

/** The scenario gallery: search, category and favourites filters, the matcher, and the cards. */
export function ScenarioGallery({ onStart, starting }: ScenarioGalleryProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState<string>(ALL);
  const [favoritesOnly, setFavoritesOnly] = useState(false);
  const deferredSearch = useDeferredValue(search.trim());
  const all = useScenarios({ search: '', category: null, favoritesOnly: false });
  const filtered = useScenarios({
    search: deferredSearch,
    category: category === ALL ? null : category,
    favoritesOnly,
  });
  const config = useUpdateMyScenarioConfig();

  const categories = useMemo(
    () => [...new Set((all.data?.items ?? []).map((scenario) => scenario.category))].sort(),
    [all.data],
  );
  const scenarios = filtered.data?.items ?? [];

  const start = (scenarioId: string, prompt?: string) =>
    onStart({ scenarioId, prompt }).catch((error: unknown) => message.error(describeError(error, t)));

  return (
    <section aria-labelledby="page-title">
      <Typography.Title level={1} id="page-title" style={{ fontSize: 24, marginTop: 0 }}>
        {t('pages.scenarios.title')}
      </Typography.Title>
      <MatchPanel onStart={(id, prompt) => void start(id, prompt)} disabled={starting} />
      <Flex gap={12} wrap align="center" className="gallery-filters" role="search">
        <Input.Search
          allowClear
          placeholder={t('scenarios.search')}
          aria-label={t('scenarios.search')}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          style={{ width: 280 }}
        />
        <Select
          value={category}
          onChange={setCategory}
          aria-label={t('scenarios.category')}
          style={{ minWidth: 180 }}
          options={[
            { value: ALL, label: t('scenarios.allCategories') },
            ...categories.map((value) => ({ value, label: value })),
          ]}
        />
        <Flex align="center" gap={8}>
          <Switch id="favorites-only" checked={favoritesOnly} onChange={setFavoritesOnly} />
          <label htmlFor="favorites-only">{t('scenarios.favoritesOnly')}</label>
        </Flex>
        {filtered.isFetching && !filtered.isPending ? <Spin size="small" /> : null}
      </Flex>
      {filtered.error ? <Alert type="error" showIcon title={describeError(filtered.error, t)} /> : null}
      {filtered.isPending ? <Spin style={{ display: 'block', margin: '48px auto' }} /> : null}
      {!filtered.isPending && scenarios.length === 0 ? (
        <Empty
          style={{ marginTop: 48 }}
          description={
            deferredSearch || category !== ALL || favoritesOnly ? t('scenarios.noMatch') : t('pages.scenarios.empty')
          }
        />
      ) : null}
      <div className="scenario-grid" aria-busy={filtered.isFetching}>
        {scenarios.map((scenario) => (
          <ScenarioCard
            key={scenario.id}
            scenario={scenario}
            disabled={starting}
            onStart={(prompt) => void start(scenario.id, prompt)}
            onToggleFavorite={() =>
              config.mutate(
                { id: scenario.id, body: { is_favorite: !(scenario.user_config?.is_favorite ?? false) } },
                {
                  onError: (error) => message.error(describeError(error, t)),
                  onSuccess: (saved) =>
                    message.success(
                      t(saved.is_favorite ? 'scenarios.favorited' : 'scenarios.unfavorited', {
                        name: localizeScenario(scenario, i18n.language).name,
                      }),
                    ),
                },
              )
            }
          />
        ))}
      </div>
    </section>
  );
}
