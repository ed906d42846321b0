import { setupServer } from 'msw/node';
import { handlers } from './mock-api';
import { adminHandlers, domainHandlers } from './mock-domain';

export const server = setupServer(...handlers, ...domainHandlers, ...adminHandlers);
