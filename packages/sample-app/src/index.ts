export { parseSampleAppEnv, sampleAppEnvSchema, SampleAppEnvError, type SampleAppConfig } from './env.js';
export { planResponse, type Behaviour, type ResponsePlan } from './plan.js';
export { burnCpu, createHandler, type HandlerDeps, type RequestLike, type ResponseLike } from './handler.js';
export { startSampleApp, type SampleApp, type SampleAppDeps } from './server.js';
