import { http, HttpResponse } from 'msw';
import type { MessagePublic, ScenarioPublic, SessionDetail, SessionPublic, SkillDetail } from '@/client/types.gen';

/**
 * The domain API (scenarios, sessions and their SSE turns, and empty skills/preferences/admin lists)
 * for MSW. Tests fill `domain` and script turns with `sse(...)` chunks.
 */
const API = '*/api/v1';

export interface DomainState {
  scenarios: ScenarioPublic[];
  sessions: SessionDetail[];
  /** The SSE body chunks of the next POST .../messages (a function may wait between chunks). */
  turn: (() => ReadableStream<Uint8Array>) | null;
  /** The body of GET .../stream; null answers 204 (no turn running). */
  attach: (() => ReadableStream<Uint8Array>) | null;
  sent: { sessionId: string; content: string }[];
  stopped: string[];
  created: Record<string, unknown>[];
}

export const domain: DomainState = { scenarios: [], sessions: [], turn: null, attach: null, sent: [], stopped: [], created: [] };

export function resetDomain(): void {
  Object.assign(domain, { scenarios: [], sessions: [], turn: null, attach: null, sent: [], stopped: [], created: [] });
}

let seq = 0;
/** One turn event as the server writes it: the name is also the data's `type`. */
export function sseEvent(event: string, data: object): string {
  seq += 1;
  return `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\nid: ${seq}\n\n`;
}

/** A stream of SSE chunks; a chunk may be a promise, to hold the stream open until the test says so. */
export function sse(chunks: (string | Promise<string>)[]): () => ReadableStream<Uint8Array> {
  return () => {
    const encoder = new TextEncoder();
    let index = 0;
    return new ReadableStream({
      async pull(controller) {
        if (index >= chunks.length) {
          controller.close();
          return;
        }
        const chunk = await chunks[index];
        index += 1;
        controller.enqueue(encoder.encode(chunk));
      },
    });
  };
}

export function makeScenario(overrides: Partial<ScenarioPublic> = {}): ScenarioPublic {
  return {
    id: crypto.randomUUID(),
    slug: 'general',
    name: 'General assistant',
    description: 'Answers questions.',
    category: 'general',
    tags: ['general'],
    icon: '🤖',
    example_prompts: ['Explain vector databases'],
    translations: {},
    system_prompt: '',
    model: null,
    allowed_models: [],
    tools: ['Read', 'Write'],
    skill_ids: [],
    max_turns: 20,
    max_budget_usd: null,
    is_default: false,
    is_public: true,
    is_enabled: true,
    is_builtin: true,
    created_by: null,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    user_config: { is_favorite: false, extra_instructions: '', model: null, last_used_at: null },
    ...overrides,
  };
}

export function makeMessage(overrides: Partial<MessagePublic> & Pick<MessagePublic, 'role' | 'content'>): MessagePublic {
  return {
    id: crypto.randomUUID(),
    session_id: '',
    status: 'ok',
    error: null,
    model: 'claude-test',
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_creation_tokens: 0,
    cost_usd: 0,
    duration_ms: 0,
    num_turns: 1,
    tool_calls: [],
    permission_denials: [],
    preference_version: null,
    created_at: '2025-01-01T00:00:00Z',
    completed_at: null,
    feedback: null,
    ...overrides,
  };
}

export function makeSession(overrides: Partial<SessionDetail> = {}): SessionDetail {
  return {
    id: crypto.randomUUID(),
    scenario_id: null,
    scenario_name: 'General assistant',
    title: 'A conversation',
    message_count: 0,
    total_cost_usd: 0,
    is_running: false,
    archived_at: null,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    messages: [],
    artifacts: [],
    ...overrides,
  };
}

export function makeSkill(overrides: Partial<SkillDetail> = {}): SkillDetail {
  return {
    id: crypto.randomUUID(),
    name: 'report-style',
    description: 'How reports are laid out.',
    is_public: false,
    is_enabled: true,
    created_by: null,
    file_count: 1,
    total_size: 120,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    files: [],
    ...overrides,
  };
}

const publicOf = ({ messages: _m, artifacts: _a, ...session }: SessionDetail): SessionPublic => session;
const notFound = () => HttpResponse.json({ code: 'not_found', message: 'Not found', details: null, request_id: null }, { status: 404 });
const streamResponse = (body: ReadableStream<Uint8Array>) =>
  new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream' } });

export const domainHandlers = [
  http.get(`${API}/scenarios`, ({ request }) => {
    const url = new URL(request.url);
    const search = url.searchParams.get('search')?.toLowerCase();
    const category = url.searchParams.get('category');
    const favorites = url.searchParams.get('favorites_only') === 'true';
    const items = domain.scenarios.filter(
      (s) =>
        (!search || `${s.name} ${s.description} ${s.tags.join(' ')}`.toLowerCase().includes(search)) &&
        (!category || s.category === category) &&
        (!favorites || s.user_config?.is_favorite),
    );
    return HttpResponse.json({ items, count: items.length });
  }),
  http.put(`${API}/scenarios/:id/config`, async ({ params, request }) => {
    const scenario = domain.scenarios.find((s) => s.id === params.id);
    if (!scenario) return notFound();
    const body = (await request.json()) as { is_favorite?: boolean };
    scenario.user_config = { ...scenario.user_config!, is_favorite: body.is_favorite ?? false };
    return HttpResponse.json(scenario.user_config);
  }),
  http.post(`${API}/scenarios/match`, () =>
    HttpResponse.json({
      items: domain.scenarios.slice(0, 2).map((scenario, index) => ({ scenario, score: 0.9 - index * 0.3, reason: `Matches ${scenario.tags[0]}` })),
      fallback: false,
    }),
  ),
  http.get(`${API}/sessions`, ({ request }) => {
    const url = new URL(request.url);
    const search = url.searchParams.get('search')?.toLowerCase();
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 30);
    const all = domain.sessions.filter((s) => !search || s.title.toLowerCase().includes(search));
    return HttpResponse.json({ items: all.slice(offset, offset + limit).map(publicOf), count: all.length });
  }),
  http.post(`${API}/sessions`, async ({ request }) => {
    const body = (await request.json()) as Record<string, unknown>;
    domain.created.push(body);
    const session = makeSession({ title: '' });
    domain.sessions.unshift(session);
    return HttpResponse.json(publicOf(session), { status: 201 });
  }),
  http.get(`${API}/sessions/:id`, ({ params }) => {
    const session = domain.sessions.find((s) => s.id === params.id);
    return session ? HttpResponse.json(session) : notFound();
  }),
  http.patch(`${API}/sessions/:id`, async ({ params, request }) => {
    const session = domain.sessions.find((s) => s.id === params.id);
    if (!session) return notFound();
    session.title = ((await request.json()) as { title: string }).title;
    return HttpResponse.json(publicOf(session));
  }),
  http.delete(`${API}/sessions/:id`, ({ params }) => {
    domain.sessions = domain.sessions.filter((s) => s.id !== params.id);
    return new HttpResponse(null, { status: 204 });
  }),
  http.post(`${API}/sessions/:id/messages`, async ({ params, request }) => {
    const { content } = (await request.json()) as { content: string };
    domain.sent.push({ sessionId: String(params.id), content });
    if (!domain.turn) return HttpResponse.json({ code: 'turn_running', message: 'busy', details: null, request_id: null }, { status: 409 });
    return streamResponse(domain.turn());
  }),
  http.get(`${API}/sessions/:id/stream`, () => (domain.attach ? streamResponse(domain.attach()) : new HttpResponse(null, { status: 204 }))),
  http.post(`${API}/sessions/:id/stop`, ({ params }) => {
    domain.stopped.push(String(params.id));
    return HttpResponse.json({ stopped: true });
  }),
  http.get(`${API}/skills`, () => HttpResponse.json({ items: [], count: 0 })),
  http.get(`${API}/feedback/tags`, () => HttpResponse.json([])),
  http.get(`${API}/me/preferences`, () =>
    HttpResponse.json({ user_id: '', items: [], summary: '', version: 0, feedback_count: 0, learned_at: null, model_used: '', paused: false }),
  ),
];

export const adminHandlers = [
  http.get(`${API}/sessions/stats`, () =>
    HttpResponse.json({
      scope: 'all',
      user_id: null,
      date_from: null,
      date_to: null,
      totals: { sessions: 0, messages: 0, turns: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      by_day: [],
      by_scenario: [],
      by_model: [],
    }),
  ),
  http.get(`${API}/platform/cron/jobs`, () => HttpResponse.json([])),
  http.get(`${API}/users`, () => HttpResponse.json({ items: [], count: 0 })),
];
