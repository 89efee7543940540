import type { ControllerConfig } from '../config.ts';
import type { JobTemplateSettings } from './job-manifest.builder.ts';

/**
 * The transcode Jobs' template from the operator's configuration: image, placement,
 * resources, scratch size and the storage settings the transcoder needs. One function,
 * so the preset boot test builds exactly the Job the operator would.
 */
export function jobTemplateFromConfig(config: ControllerConfig): JobTemplateSettings {
  return {
    image: config.TRANSCODER_IMAGE,
    imagePullPolicy: config.TRANSCODER_IMAGE_PULL_POLICY,
    command: config.TRANSCODER_COMMAND,
    ...(config.TRANSCODER_SERVICE_ACCOUNT
      ? { serviceAccountName: config.TRANSCODER_SERVICE_ACCOUNT }
      : {}),
    nodeSelector: config.TRANSCODE_NODE_SELECTOR,
    tolerations: config.TRANSCODE_TOLERATIONS,
    ...(config.TRANSCODE_AFFINITY ? { affinity: config.TRANSCODE_AFFINITY } : {}),
    resources: config.TRANSCODE_RESOURCES,
    activeDeadlineSeconds: config.TRANSCODE_ACTIVE_DEADLINE_SECONDS,
    ttlSecondsAfterFinished: config.TRANSCODE_TTL_SECONDS_AFTER_FINISHED,
    scratchSizeLimit: config.TRANSCODE_SCRATCH_SIZE_LIMIT,
    env: [
      { name: 'STORAGE_DRIVER', value: config.STORAGE_DRIVER },
      ...(config.S3_BUCKET_NAME ? [{ name: 'S3_BUCKET_NAME', value: config.S3_BUCKET_NAME }] : []),
      { name: 'S3_REGION', value: config.S3_REGION },
      ...(config.S3_ENDPOINT ? [{ name: 'S3_ENDPOINT', value: config.S3_ENDPOINT }] : []),
      // An in-cluster S3 (the kind bundle's moto) has no per-bucket host names.
      ...(config.S3_FORCE_PATH_STYLE !== undefined
        ? [{ name: 'S3_FORCE_PATH_STYLE', value: String(config.S3_FORCE_PATH_STYLE) }]
        : []),
    ],
    ...(config.TRANSCODER_ENV_CONFIGMAP
      ? { envFromConfigMap: config.TRANSCODER_ENV_CONFIGMAP }
      : {}),
    ...(config.TRANSCODER_ENV_SECRET ? { envFromSecret: config.TRANSCODER_ENV_SECRET } : {}),
    ...(config.TRANSCODER_ROLE_ARN ? { perJobCredentials: true } : {}),
  };
}
