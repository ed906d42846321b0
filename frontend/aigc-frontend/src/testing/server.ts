import { setupServer } from 'msw/node';
import { handlers } from './mock-api';
import { adminHandlers, domainHandlers } from './mock-domain';

// The admin handlers go first: GET /sessions/stats must not fall into the domain's GET /sessions/:id.
export const server = setupServer(...handlers, ...adminHandlers, ...domainHandlers);
