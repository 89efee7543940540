{{/* Chart name, truncated to 63 characters (a DNS label). */}}
{{- define "videoforge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, 63 characters at most. The release name is used alone when
it already contains the chart name.
*/}}
{{- define "videoforge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's resource name: <fullname>-<component>, 63 characters at most. */}}
{{- define "videoforge.componentName" -}}
{{- printf "%s-%s" (include "videoforge.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "videoforge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "videoforge.labels" -}}
helm.sh/chart: {{ include "videoforge.chart" . }}
app.kubernetes.io/name: {{ include "videoforge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: videoforge
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: call with (dict "root" $ "component" "api"). */}}
{{- define "videoforge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "videoforge.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component's objects. */}}
{{- define "videoforge.componentLabels" -}}
{{ include "videoforge.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* ServiceAccount name of a component (api, controller, web, transcoder). */}}
{{- define "videoforge.serviceAccountName" -}}
{{- $sa := index .root.Values .component "serviceAccount" }}
{{- if $sa.create }}
{{- default (include "videoforge.componentName" .) $sa.name }}
{{- else }}
{{- default "default" $sa.name }}
{{- end }}
{{- end }}

{{/* image reference of a component: repository:tag, the tag defaulting to appVersion. */}}
{{- define "videoforge.image" -}}
{{- $image := index .root.Values .component "image" }}
{{- $registry := .root.Values.global.imageRegistry }}
{{- $repo := ternary (printf "%s/%s" $registry $image.repository) $image.repository (ne $registry "") }}
{{- if $image.digest }}
{{- printf "%s@%s" $repo $image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{/* The kind bundle's in-cluster endpoints. */}}
{{- define "videoforge.bundle.awsEndpoint" -}}
{{- printf "http://%s:5000" (include "videoforge.componentName" (dict "root" . "component" "moto")) }}
{{- end }}
{{- define "videoforge.bundle.queueUrl" -}}
{{- printf "%s/123456789012/%s" (include "videoforge.bundle.awsEndpoint" .) .Values.kindBundle.queueName }}
{{- end }}
{{- define "videoforge.bundle.secretName" -}}
{{- include "videoforge.componentName" (dict "root" . "component" "bundle") }}
{{- end }}
{{- define "videoforge.bundle.awsSecretName" -}}
{{- include "videoforge.componentName" (dict "root" . "component" "bundle-aws") }}
{{- end }}

{{/*
Environment shared by the API and the controller: logging, database, storage, queue.
Secrets are only ever referenced (secretKeyRef), never put in values.
*/}}
{{- define "videoforge.sharedEnv" -}}
{{- $c := .Values.config }}
- name: LOG_LEVEL
  value: {{ $c.logLevel | quote }}
{{- if .Values.kindBundle.enabled }}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "videoforge.bundle.secretName" . }}, key: DATABASE_URL } }
- name: STORAGE_DRIVER
  value: s3
- name: S3_BUCKET_NAME
  value: {{ .Values.kindBundle.bucket | quote }}
- name: S3_ENDPOINT
  value: {{ include "videoforge.bundle.awsEndpoint" . | quote }}
- name: S3_FORCE_PATH_STYLE
  value: "true"
- name: QUEUE_DRIVER
  value: sqs
- name: SQS_QUEUE_URL
  value: {{ include "videoforge.bundle.queueUrl" . | quote }}
- name: SQS_ENDPOINT
  value: {{ include "videoforge.bundle.awsEndpoint" . | quote }}
- name: AWS_ACCESS_KEY_ID
  valueFrom: { secretKeyRef: { name: {{ include "videoforge.bundle.awsSecretName" . }}, key: AWS_ACCESS_KEY_ID } }
- name: AWS_SECRET_ACCESS_KEY
  valueFrom: { secretKeyRef: { name: {{ include "videoforge.bundle.awsSecretName" . }}, key: AWS_SECRET_ACCESS_KEY } }
{{- else }}
{{- with $c.database }}
{{- if .urlSecret.name }}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ .urlSecret.name | quote }}, key: {{ .urlSecret.key | quote }} } }
{{- else }}
- name: DB_HOST
  value: {{ required "config.database.host (or config.database.urlSecret.name, or kindBundle.enabled) is required" .host | quote }}
- name: DB_PORT
  value: {{ .port | quote }}
- name: DB_NAME
  value: {{ .name | quote }}
- name: DB_USER
  value: {{ .user | quote }}
- name: DB_SSL
  value: {{ .ssl | quote }}
- name: DB_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ required "config.database.passwordSecret.name is required with config.database.host" .passwordSecret.name | quote }}, key: {{ .passwordSecret.key | quote }} } }
{{- end }}
- name: DB_POOL_MAX
  value: {{ .poolMax | quote }}
{{- if .caBundle.configMap }}
- name: NODE_EXTRA_CA_CERTS
  value: /etc/videoforge/database-ca/{{ .caBundle.key }}
{{- end }}
{{- end }}
- name: STORAGE_DRIVER
  value: {{ $c.storage.driver | quote }}
{{- if eq $c.storage.driver "s3" }}
- name: S3_BUCKET_NAME
  value: {{ required "config.storage.bucket is required with storage.driver=s3" $c.storage.bucket | quote }}
- name: S3_REGION
  value: {{ $c.storage.region | quote }}
{{- with $c.storage.endpoint }}
- name: S3_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- end }}
- name: QUEUE_DRIVER
  value: {{ $c.queue.driver | quote }}
{{- if eq $c.queue.driver "sqs" }}
- name: SQS_QUEUE_URL
  value: {{ required "config.queue.sqsQueueUrl is required with queue.driver=sqs" $c.queue.sqsQueueUrl | quote }}
{{- with $c.queue.sqsEndpoint }}
- name: SQS_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- else }}
- name: QUEUE_NAME
  value: {{ $c.queue.name | quote }}
{{- end }}
- name: AWS_REGION
  value: {{ $c.queue.region | quote }}
{{- end }}
- name: QUEUE_VISIBILITY_TIMEOUT_SECONDS
  value: {{ $c.queue.visibilityTimeoutSeconds | quote }}
- name: QUEUE_WAIT_SECONDS
  value: {{ $c.queue.waitSeconds | quote }}
{{- end }}

{{/* Pod security context shared by every component: non-root, no privilege. */}}
{{- define "videoforge.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile: { type: RuntimeDefault }
{{- end }}

{{- define "videoforge.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities: { drop: [ALL] }
{{- end }}

{{/* The database CA bundle (config.database.caBundle), for verify-full against RDS. */}}
{{- define "videoforge.databaseCaMount" -}}
{{- if and (not .Values.kindBundle.enabled) .Values.config.database.caBundle.configMap }}
- { name: database-ca, mountPath: /etc/videoforge/database-ca, readOnly: true }
{{- end }}
{{- end }}
{{- define "videoforge.databaseCaVolume" -}}
{{- if and (not .Values.kindBundle.enabled) .Values.config.database.caBundle.configMap }}
- name: database-ca
  configMap: { name: {{ .Values.config.database.caBundle.configMap | quote }} }
{{- end }}
{{- end }}

{{/* Origins of presigned storage URLs, for the web app's CSP (as the API derives them). */}}
{{- define "videoforge.storageOrigins" -}}
{{- $s := .Values.config.storage -}}
{{- if .Values.kindBundle.enabled -}}
{{- include "videoforge.bundle.awsEndpoint" . -}}
{{- else if $s.endpoint -}}
{{- $u := urlParse $s.endpoint -}}
{{- printf "%s://%s" $u.scheme $u.host -}}
{{- else -}}
{{- printf "https://%s.s3.%s.amazonaws.com,https://s3.%s.amazonaws.com" $s.bucket $s.region $s.region -}}
{{- end -}}
{{- end }}
