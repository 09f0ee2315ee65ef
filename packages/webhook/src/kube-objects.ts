// The parts of Pods, Deployments and ConfigMaps the webhook reads, as zod schemas that keep every
// other field (loose objects): we only look at what we need and never drop what we do not know.
import { z } from 'zod';

const StringMap = z.record(z.string(), z.string());

export const OwnerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  controller: z.boolean().optional(),
});
export type OwnerReference = z.infer<typeof OwnerReferenceSchema>;

export const ObjectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
  ownerReferences: z.array(OwnerReferenceSchema).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

const IntOrString = z.union([z.number().int(), z.string()]);

export const ProbeSchema = z.looseObject({
  httpGet: z
    .looseObject({
      path: z.string().optional(),
      port: IntOrString,
      host: z.string().optional(),
      scheme: z.string().optional(),
      httpHeaders: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    })
    .optional(),
  tcpSocket: z.looseObject({ port: IntOrString, host: z.string().optional() }).optional(),
  exec: z.unknown().optional(),
  grpc: z.unknown().optional(),
  initialDelaySeconds: z.number().int().optional(),
  periodSeconds: z.number().int().optional(),
  timeoutSeconds: z.number().int().optional(),
  successThreshold: z.number().int().optional(),
  failureThreshold: z.number().int().optional(),
});
export type Probe = z.infer<typeof ProbeSchema>;

export const ContainerPortSchema = z.looseObject({
  containerPort: z.number().int(),
  name: z.string().optional(),
  protocol: z.string().optional(),
});

export const ContainerSchema = z.looseObject({
  name: z.string(),
  image: z.string().optional(),
  ports: z.array(ContainerPortSchema).optional(),
  readinessProbe: ProbeSchema.optional(),
});
export type Container = z.infer<typeof ContainerSchema>;

export const PodSchema = z.looseObject({
  metadata: ObjectMetaSchema.default({}),
  spec: z.looseObject({ containers: z.array(ContainerSchema) }),
});
export type Pod = z.infer<typeof PodSchema>;

export const DeploymentSchema = z.looseObject({
  metadata: ObjectMetaSchema.default({}),
  spec: z.looseObject({
    template: z.looseObject({ metadata: ObjectMetaSchema.default({}) }).default({ metadata: {} }),
  }),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const ConfigMapSchema = z.looseObject({
  metadata: ObjectMetaSchema.default({}),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type ConfigMap = z.infer<typeof ConfigMapSchema>;

/** `path: message` of the first few issues, for denial messages. */
export function describeZodError(error: z.ZodError, root: string): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}
