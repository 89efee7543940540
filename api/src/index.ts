// What a composition root above the API (all-in-one mode) needs.
export { ApiConfig } from './config.ts';
export { startApiServer, type ApiServer, type ApiServerOptions } from './server.ts';
